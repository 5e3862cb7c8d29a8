package dev.indelible.server.auth;

import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Test helpers: a loopback server configuration and a small HTTP client. */
final class TestHttp {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestHttp() {}

    static ServerConfig config(Path data, SecurityConfig security) {
        return new ServerConfig(
                        "127.0.0.1",
                        0,
                        data,
                        "test.indelible",
                        ServerConfig.DEFAULT_BODY_MAX_BYTES,
                        LogConfig.defaults().withCheckpointInterval(Duration.ofMillis(50)),
                        EventLimits.DEFAULTS)
                .withSecurity(security);
    }

    static HttpResponse<String> send(String method, URI uri, String bearer, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", bearer.contains(" ") ? bearer : "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
