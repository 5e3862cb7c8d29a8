import com.github.luben.zstd.Zstd;
import java.nio.file.*;
public class ZLevels {
    public static void main(String[] a) throws Exception {
        byte[] all = Files.readAllBytes(Path.of(a[0]));
        int n = 611_000; int chunks = Math.min(20, all.length / n);
        byte[][] in = new byte[chunks][];
        for (int i = 0; i < chunks; i++) in[i] = java.util.Arrays.copyOfRange(all, i * n, (i + 1) * n);
        int[] levels = {1, -1, -3, -5, -7};
        for (int round = 0; round < 3; round++) {
            for (int level : levels) {
                long out = 0, t0 = System.nanoTime(); int reps = 0;
                byte[][] comp = new byte[chunks][];
                while (System.nanoTime() - t0 < 1_000_000_000L) {
                    for (int i = 0; i < chunks; i++) { comp[i] = Zstd.compress(in[i], level); out += comp[i].length; }
                    reps++;
                }
                double cms = (System.nanoTime() - t0) / 1e6 / (reps * chunks);
                long t1 = System.nanoTime(); int dreps = 0;
                while (System.nanoTime() - t1 < 1_000_000_000L) {
                    for (int i = 0; i < chunks; i++) Zstd.decompress(comp[i], n);
                    dreps++;
                }
                double dms = (System.nanoTime() - t1) / 1e6 / (dreps * chunks);
                System.out.printf("round %d level %3d: ratio %.2f, compress %.3f ms, expand %.3f ms per 611 KB%n", round, level, (double) n * reps * chunks / out, cms, dms);
            }
        }
    }
}
