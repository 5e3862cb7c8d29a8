package dev.indelible.cli;

import dev.indelible.client.IndelibleClient;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --url} and {@code --token} of the client commands, and the SDK client they describe. */
final class ServerOptions {
    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the indelible server (default: ${DEFAULT-VALUE}); for a cluster, several,"
                    + " comma-separated: appends go to the node that leads, and a node that fails is skipped.")
    String url;

    @Mixin
    TokenOption token = new TokenOption();

    /** A client builder for this server, with the bearer token if one is configured. */
    IndelibleClient.Builder client() {
        List<URI> urls = Arrays.stream(url.split(","))
                .map(String::strip)
                .map(URI::create)
                .toList();
        return IndelibleClient.builder().baseUrls(urls).bearerToken(token.value());
    }
}
