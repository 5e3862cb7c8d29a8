package dev.indelible.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small blocking HTTP client for the tests (java.net.http), every request with a timeout. */
final class Http implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int LARGE_BODY_BYTES = 1 << 20;

    private final HttpClient client;
    private final ServerProcess server;

    Http(ServerProcess server) {
        this.server = server;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** A response, body as bytes. */
    record Response(int status, String contentType, HttpResponse<byte[]> raw) {
        byte[] body() {
            return raw.body();
        }

        String text() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + text(), e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + text();
        }
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    Response post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (body.length > LARGE_BODY_BYTES) {
            // A server refusing an over-size body answers 413 without reading it and closes the
            // connection; a client still writing the body may then see a broken pipe instead of the
            // answer. "Expect: 100-continue" (as curl sends for large bodies) lets the answer come first.
            builder.expectContinue(true);
        }
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder.build());
    }

    Response post(String path, String contentType, String body) throws IOException, InterruptedException {
        return post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    Response method(String method, String path, byte[] body) throws IOException, InterruptedException {
        return send(request(path)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    private HttpRequest.Builder request(String path) {
        URI uri = server.uri(path);
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
    }

    @Override
    public void close() {
        client.close();
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response);
    }
}
