package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.server.auth.TokenStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
    @TempDir
    Path data;

    private String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int status = Main.commandLine().execute(args);
            return status + "\n" + out.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void createListRevokeEditTheDataDirectoryTokenFile() throws Exception {
        String created = run(
                "token",
                "create",
                "--data",
                data.toString(),
                "--name",
                "ci-writer",
                "--scope",
                "append:k8s",
                "--scope",
                "read:k8s",
                "--expires",
                "90d");
        assertThat(created).startsWith("0\n");
        String secret = created.lines().skip(1).findFirst().orElseThrow();
        assertThat(secret).startsWith("idl_");
        assertThat(Files.readString(data.resolve("auth/tokens.json"))).doesNotContain(secret);
        assertThat(TokenStore.open(data, Clock.systemUTC()).authenticate(secret).token())
                .isPresent();

        String listed = run("token", "list", "--data", data.toString());
        assertThat(listed)
                .contains("ci-writer", "active", "append:k8s,read:k8s")
                .doesNotContain(secret);

        assertThat(run("token", "revoke", "--data", data.toString(), "ci-writer"))
                .startsWith("0\n");
        assertThat(run("token", "list", "--data", data.toString())).contains("revoked");
        assertThat(run("token", "revoke", "--data", data.toString(), "ci-writer"))
                .startsWith("1\n");
        assertThat(TokenStore.open(data, Clock.systemUTC()).authenticate(secret).token())
                .isEmpty();
    }

    @Test
    void badScopesAndMissingSubcommandsFail() {
        assertThat(run("token", "create", "--data", data.toString(), "--name", "x", "--scope", "write:all"))
                .startsWith("1\n");
        assertThat(run("token")).doesNotStartWith("0\n");
    }

    @Test
    void serverCommandParsesScopeMapsWhoseKeysContainEquals() {
        assertThat(ServerCommand.scopeMap(java.util.List.of("dn:CN=ingest,O=acme=append:k8s", "dns:a.test=read:*")))
                .containsOnlyKeys("dn:CN=ingest,O=acme", "dns:a.test");
    }
}
