package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.replication.PeerTls;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PeerTlsOptionsTest {
    @TempDir
    Path dir;

    private ServerCommand parse(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void theThreeOptionsMakePeerTls() throws Exception {
        Path cert = Files.writeString(dir.resolve("n1.crt"), "c");
        Path key = Files.writeString(dir.resolve("n1.key"), "k");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "a");
        ServerCommand command = parse(
                "--cluster",
                "n1=127.0.0.1:9001",
                "--node-id",
                "n1",
                "--peer-tls-cert",
                cert.toString(),
                "--peer-tls-key",
                key.toString(),
                "--peer-tls-ca",
                ca.toString());
        assertThat(command.peerTls()).contains(new PeerTls(cert, key, ca));
        assertThat(parse("--cluster", "n1=127.0.0.1:9001").peerTls()).isEmpty();
    }

    @Test
    void partialOrClusterlessPeerTlsIsRefused() throws Exception {
        Path cert = Files.writeString(dir.resolve("n1.crt"), "c");
        Path key = Files.writeString(dir.resolve("n1.key"), "k");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "a");
        assertThatThrownBy(() -> parse(
                                "--cluster",
                                "n1=127.0.0.1:9001",
                                "--peer-tls-cert",
                                cert.toString(),
                                "--peer-tls-key",
                                key.toString())
                        .peerTls())
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> parse(
                                "--peer-tls-cert",
                                cert.toString(),
                                "--peer-tls-key",
                                key.toString(),
                                "--peer-tls-ca",
                                ca.toString())
                        .peerTls())
                .hasMessageContaining("need --cluster");
        assertThatThrownBy(() -> parse(
                                "--cluster",
                                "n1=127.0.0.1:9001",
                                "--peer-tls-cert",
                                cert.toString(),
                                "--peer-tls-key",
                                key.toString(),
                                "--peer-tls-ca",
                                dir.resolve("missing").toString())
                        .peerTls())
                .hasMessageContaining("not a readable file");
    }
}
