package dev.indelible.cli;

import dev.indelible.server.auth.Scope;
import dev.indelible.server.auth.TokenStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code indelible token create|list|revoke --data DIR}: manages the bearer tokens of a data
 * directory offline (a running server picks the change up within a fraction of a second; the admin
 * API {@code /v1/admin/tokens} does the same online). In a cluster this edits one node's token file
 * only — a token made here works on that node alone, a revocation here holds on that node alone —
 * which suits bootstrapping a node; tokens every node shares are made and revoked through the admin
 * API, which replicates them through the Raft log.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Create, list and revoke API tokens (stored hashed in DIR/auth/tokens.json). In a cluster this "
                + "affects only the node owning DIR; use the admin API /v1/admin/tokens for tokens every node accepts.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: create, list or revoke");
    }

    /** {@code token create}. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token and print it once.")
    static final class Create implements Callable<Integer> {
        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "Data directory (default: ${DEFAULT-VALUE}).",
                defaultValue = "data")
        Path data;

        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description = "Unique token name, e.g. ci-writer.")
        String name;

        @Option(
                names = "--scope",
                required = true,
                paramLabel = "SCOPE",
                description = "append:<log>, read:<log> (log a name or *) or admin; repeatable.")
        List<String> scopes;

        @Option(
                names = "--expires",
                paramLabel = "DURATION",
                description = "Validity, e.g. 90d, 12h, 30m (default: never).")
        String expires;

        @Override
        public Integer call() throws Exception {
            Set<Scope> parsed = new LinkedHashSet<>();
            for (String scope : scopes) {
                parsed.add(Scope.parse(scope));
            }
            Optional<Duration> validity = Optional.ofNullable(expires).map(TokenStore::parseValidity);
            TokenStore.IssuedToken issued =
                    TokenStore.open(data, Clock.systemUTC()).create(name, parsed, validity);
            System.out.println(issued.secret());
            System.err.println("Created token " + name + " with scopes "
                    + issued.info().scopes()
                    + issued.info().expiresAt().map(e -> ", expiring " + e).orElse(", never expiring")
                    + ". It is shown only now; send it as: Authorization: Bearer <token>");
            return 0;
        }
    }

    /** {@code token list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "Data directory (default: ${DEFAULT-VALUE}).",
                defaultValue = "data")
        Path data;

        @Override
        public Integer call() throws Exception {
            System.out.printf("%-24s %-8s %-26s %-26s %s%n", "NAME", "STATE", "CREATED", "EXPIRES", "SCOPES");
            Clock clock = Clock.systemUTC();
            for (TokenStore.TokenInfo t : TokenStore.open(data, clock).list()) {
                String state = t.revoked() ? "revoked" : t.validAt(clock.instant()) ? "active" : "expired";
                System.out.printf(
                        "%-24s %-8s %-26s %-26s %s%n",
                        t.name(),
                        state,
                        t.createdAt(),
                        t.expiresAt().map(Object::toString).orElse("never"),
                        String.join(
                                ",",
                                t.scopes().stream()
                                        .map(Scope::toString)
                                        .sorted()
                                        .toList()));
            }
            return 0;
        }
    }

    /** {@code token revoke}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by name.")
    static final class Revoke implements Callable<Integer> {
        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "Data directory (default: ${DEFAULT-VALUE}).",
                defaultValue = "data")
        Path data;

        @Parameters(paramLabel = "NAME", description = "The token's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            if (!TokenStore.open(data, Clock.systemUTC()).revoke(name)) {
                System.err.println("indelible token revoke: no unrevoked token named " + name);
                return 1;
            }
            System.out.println("Revoked token " + name);
            return 0;
        }
    }
}
