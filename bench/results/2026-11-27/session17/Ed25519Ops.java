import dev.indelible.formats.note.Ed25519;

/**
 * Microseconds per Ed25519 signature and verification (300-byte message) through indelible's
 * Ed25519, 3 rounds of 2,000 each, with whichever engine the class path gives (the server jar:
 * BouncyCastle; -Dindelible.ed25519=jdk: the JDK's provider). Session 17:
 *
 *   javac -cp indelible.jar -d /tmp/eo Ed25519Ops.java
 *   java -cp /tmp/eo:indelible.jar Ed25519Ops
 *   java -Dindelible.ed25519=jdk -cp /tmp/eo:indelible.jar Ed25519Ops
 */
public class Ed25519Ops {
    public static void main(String[] args) {
        System.out.println(Ed25519.engine());
        byte[] seed = new byte[32];
        byte[] publicKey = Ed25519.publicKeyFromSeed(seed);
        byte[] message = new byte[300];
        int n = 2_000;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Ed25519.sign(seed, message);
            }
            long signed = System.nanoTime();
            byte[] signature = Ed25519.sign(seed, message);
            for (int i = 0; i < n; i++) {
                Ed25519.verify(publicKey, message, signature);
            }
            long verified = System.nanoTime();
            System.out.printf("sign %.1f us, verify %.1f us%n", (signed - start) / 1e3 / n, (verified - signed) / 1e3 / n);
        }
    }
}
