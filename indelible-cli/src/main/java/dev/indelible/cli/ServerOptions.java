package dev.indelible.cli;

import dev.indelible.client.IndelibleClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --url} and {@code --token} of the client commands, and the SDK client they describe. */
final class ServerOptions {
    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the indelible server (default: ${DEFAULT-VALUE}).")
    String url;

    @Mixin
    TokenOption token = new TokenOption();

    /** A client builder for this server, with the bearer token if one is configured. */
    IndelibleClient.Builder client() {
        return IndelibleClient.builder().baseUrl(url).bearerToken(token.value());
    }
}
