package dev.indelible.cli;

import picocli.CommandLine.Option;

/** {@code --token}: the bearer credential of client commands, from the option or {@code $INDELIBLE_TOKEN}. */
final class TokenOption {
    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "Bearer token (an indelible token or an OIDC JWT); default: $INDELIBLE_TOKEN. Prefer the "
                    + "environment variable: options are visible to other local users in the process list.")
    String token;

    /** The token to send, or null for none. */
    String value() {
        if (token != null) {
            return token;
        }
        String fromEnvironment = System.getenv("INDELIBLE_TOKEN");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
    }
}
