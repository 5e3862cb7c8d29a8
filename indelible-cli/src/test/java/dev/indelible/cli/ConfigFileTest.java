package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/** {@code indelible server --config FILE}: parsed with picocli, the resulting settings checked. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    /** Parses as {@link ServerCommand#call()} does before it starts anything. */
    private static ServerCommand parse(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        command.applyConfigFile();
        return command;
    }

    private Path write(String name, String... lines) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, List.of(lines));
    }

    /**
     * Runs {@code indelible server ARGS} as Main does, for cases that must fail as usage errors
     * (exit status 2). The unparseable --listen is a safety net: were the config error missed, the
     * run fails with status 1 instead of starting a server.
     */
    private int runServer(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("server", "--listen", "not-an-address"));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void theFileAloneGivesTheSettings() throws Exception {
        Path file = write(
                "n1.conf",
                "\uFEFFnode-id = n1", // with the byte order mark some editors write
                "# node n1",
                "cluster = n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003",
                "",
                "  listen=127.0.0.1:8081  ",
                "data = /var/lib/indelible/n1",
                "checkpoint-interval = 250",
                "election-timeout = 400",
                "auth = off",
                "rate-limit = 12.5",
                "rate-burst = 30",
                "client-cert-scope = dn:CN=ingest\\,O=Example=append:k8s",
                "client-cert-scope = dns:reader.example.com=read:*",
                "oidc-algorithms = ES256,EdDSA");
        ServerCommand command = parse("--config", file.toString());
        assertThat(command.nodeId).isEqualTo("n1");
        assertThat(command.cluster).isEqualTo("n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003");
        assertThat(command.listen).isEqualTo("127.0.0.1:8081");
        assertThat(command.data).isEqualTo(Path.of("/var/lib/indelible/n1"));
        assertThat(command.checkpointIntervalMillis).isEqualTo(250);
        assertThat(command.electionTimeoutMillis).isEqualTo(400);
        assertThat(command.auth).isEqualTo("off");
        assertThat(command.rateLimit).isEqualTo(12.5);
        assertThat(command.rateBurst).isEqualTo(30);
        // Taken literally: the backslash of the RFC 2253 DN stays.
        assertThat(command.clientCertScopes)
                .containsExactly("dn:CN=ingest\\,O=Example=append:k8s", "dns:reader.example.com=read:*");
        assertThat(command.oidcAlgorithms).containsExactly("ES256", "EdDSA");
        // Options in neither the file nor the command line keep their defaults.
        assertThat(command.eventMaxBytes).isEqualTo(1_048_576);
        assertThat(command.clientAuth).isEqualTo("required");
        assertThat(command.logKey).isNull();
    }

    @Test
    void anOptionOnTheCommandLineOverridesTheFile() throws Exception {
        Path file = write(
                "n1.conf",
                "node-id = n1",
                "listen = 127.0.0.1:8081",
                "rate-limit = 10",
                "client-cert-scope = dns:a.example.com=read:*",
                "client-cert-scope = dns:b.example.com=read:*");
        ServerCommand command = parse(
                "--listen",
                "127.0.0.1:9999",
                "--config",
                file.toString(),
                "--client-cert-scope",
                "dns:c.example.com=append:x");
        assertThat(command.listen).isEqualTo("127.0.0.1:9999");
        // A repeatable option on the command line replaces all of the file's values.
        assertThat(command.clientCertScopes).containsExactly("dns:c.example.com=append:x");
        assertThat(command.nodeId).isEqualTo("n1");
        assertThat(command.rateLimit).isEqualTo(10);
    }

    @Test
    void anUnknownKeyIsAUsageErrorNamingTheKeyAndTheFileButNotTheValue() throws Exception {
        Path file = write("n1.conf", "node-id = n1", "nodeid = n2", "token = idl_secret-value");
        assertThat(runServer("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains(file.toString())
                .contains("'nodeid' (line 2; did you mean node-id?)")
                .contains("'token' (line 3)")
                .doesNotContain("idl_secret-value")
                .doesNotContain("n2");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void helpVersionAndConfigAreNotKeys() throws Exception {
        for (String key : List.of("config", "help", "version", "h", "--listen", "")) {
            Path file = write("bad.conf", key + " = x");
            assertThatThrownBy(() -> parse("--config", file.toString()))
                    .as(key)
                    .isInstanceOf(ParameterException.class)
                    .hasMessageContaining(file.toString());
        }
    }

    @Test
    void aMissingOrUnreadableFileIsAOneLineUsageError() throws Exception {
        Path missing = dir.resolve("missing.conf");
        assertThat(runServer("--config", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read config file " + missing + ": no such file");
        assertThat(err.toString().strip().lines()).hasSize(1);

        err.getBuffer().setLength(0);
        assertThat(runServer("--config", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read config file " + dir);
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void relativePathsInTheFileResolveAgainstItsDirectory() throws Exception {
        Path file = write(
                "etc/n1.conf",
                "data = n1-data",
                "log-key = keys/cluster.key",
                "tls-cert = ../tls/server.crt",
                "tls-key = /etc/tls/server.key",
                "peer-tls-ca = ca.pem");
        Path etc = file.toAbsolutePath().getParent();
        ServerCommand command = parse("--config", file.toString());
        assertThat(command.data).isEqualTo(etc.resolve("n1-data"));
        assertThat(command.logKey).isEqualTo(etc.resolve("keys/cluster.key"));
        assertThat(command.tlsCert).isEqualTo(etc.resolve("../tls/server.crt"));
        assertThat(command.tlsKey).isEqualTo(Path.of("/etc/tls/server.key"));
        assertThat(command.peerTlsCa).isEqualTo(etc.resolve("ca.pem"));
        // A relative path on the command line still means the working directory.
        assertThat(parse("--config", file.toString(), "--data", "here").data).isEqualTo(Path.of("here"));
    }

    @Test
    void booleanOptionsTakeTrueOrFalse() throws Exception {
        Path on = write("on.conf", "join = true", "public-reads = false");
        assertThat(parse("--config", on.toString()).join).isTrue();
        assertThat(parse("--config", on.toString()).publicReads).isFalse();
        assertThat(parse("--config", on.toString(), "--join=false").join).isFalse();
        assertThat(parse("--config", on.toString(), "--join", "false").join).isFalse();
        assertThat(parse("--config", on.toString(), "--public-reads", "true").publicReads)
                .isTrue();
        Path off = write("off.conf", "join = FALSE");
        assertThat(parse("--config", off.toString()).join).isFalse();
        assertThat(parse("--config", off.toString(), "--join").join).isTrue();
        assertThat(parse("--join").join).isTrue();

        Path yes = write("yes.conf", "join = yes");
        assertThatThrownBy(() -> parse("--config", yes.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining(yes.toString())
                .hasMessageContaining("--join")
                .hasMessageContaining("not a boolean");
    }

    @Test
    void malformedLinesAreErrorsByLineNumberWithoutTheirContent() throws Exception {
        Path noEquals = write("a.conf", "node-id = n1", "idl_secret-token");
        assertThatThrownBy(() -> parse("--config", noEquals.toString()))
                .hasMessageContaining(noEquals + " line 2: expected key = value")
                .hasMessageNotContaining("idl_secret-token");
        Path empty = write("b.conf", "tls-cert =");
        assertThatThrownBy(() -> parse("--config", empty.toString()))
                .hasMessageContaining(empty + " line 1: key 'tls-cert' has no value");
        Path twice = write("c.conf", "listen = 127.0.0.1:1", "# again", "listen = 127.0.0.1:2");
        assertThatThrownBy(() -> parse("--config", twice.toString()))
                .hasMessageContaining(twice + ": key 'listen' is given more than once (lines 1, 3)");
        Path comment = write("e.conf", "data = /var/lib/indelible   # the data");
        assertThatThrownBy(() -> parse("--config", comment.toString()))
                .hasMessageContaining(comment + " line 1: key 'data' has ' #' in its value");
        assertThat(parse(
                                "--config",
                                write("f.conf", "oidc-jwks = https://idp.example.com/jwks#keys")
                                        .toString())
                        .oidcJwks)
                .isEqualTo(URI.create("https://idp.example.com/jwks#keys"));
        Path badNumber = write("d.conf", "rate-burst = lots");
        assertThatThrownBy(() -> parse("--config", badNumber.toString()))
                .hasMessageContaining(badNumber.toString())
                .hasMessageContaining("--rate-burst");
    }

    /** Each option, set from the file, ends up as the same option on the command line would. */
    @Test
    void everyServerOptionIsAKeyMeaningTheSameAsTheFlag() throws Exception {
        ServerCommand defaults = parse();
        int settings = 0;
        for (OptionSpec option : defaults.spec.options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp() || name.equals(ServerCommand.CONFIG_OPTION)) {
                continue;
            }
            String value = sample(option);
            Path file = write("one.conf", name.substring(2) + " = " + value);
            Object fromFile =
                    parse("--config", file.toString()).spec.findOption(name).getValue();
            Object fromFlag = parse(name + "=" + value).spec.findOption(name).getValue();
            assertThat(fromFile).as(name).isEqualTo(fromFlag).isNotEqualTo(option.getValue());
            settings++;
        }
        assertThat(settings).isGreaterThanOrEqualTo(30);
    }

    /** A value of the option's type that differs from its default (absolute, for paths). */
    private String sample(OptionSpec option) {
        Class<?> type = option.type();
        if (type == boolean.class) {
            return Boolean.toString(!(Boolean) option.getValue());
        } else if (type == Path.class) {
            return dir.resolve("sample").toAbsolutePath().toString();
        } else if (type == URI.class) {
            return "file:/sample/jwks.json";
        } else if (type == int.class || type == long.class || type == double.class) {
            return "7";
        }
        return "sample=read:x";
    }
}
