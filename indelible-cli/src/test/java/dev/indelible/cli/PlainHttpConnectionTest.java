package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.EOFException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PlainHttpConnectionTest {
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // Echoes the body: with a Content-Length when it is short, chunked when it is long.
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = body.length == 0 ? 400 : 200;
            exchange.sendResponseHeaders(status, body.length > 1000 ? 0 : (body.length == 0 ? -1 : body.length));
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/close", exchange -> exchange.close());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void readsContentLengthAndChunkedRepliesOnOneConnection() throws Exception {
        byte[] large = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        try (PlainHttpConnection connection =
                new PlainHttpConnection(uri("/echo"), "application/x-ndjson", null, 5_000)) {
            for (int i = 0; i < 3; i++) {
                PlainHttpConnection.Reply small =
                        connection.post(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                assertThat(small.status()).isEqualTo(200);
                assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + i + "}");
                PlainHttpConnection.Reply chunked = connection.post(large);
                assertThat(chunked.status()).isEqualTo(200);
                assertThat(chunked.body()).isEqualTo(large);
            }
        }
    }

    @Test
    void sendsTheBearerToken() throws Exception {
        server.createContext("/auth", exchange -> {
            byte[] seen = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, seen.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(seen);
            }
        });
        try (PlainHttpConnection connection = new PlainHttpConnection(uri("/auth"), "application/json", "t0k", 5_000)) {
            assertThat(new String(
                            connection
                                    .post("{}".getBytes(StandardCharsets.UTF_8))
                                    .body(),
                            StandardCharsets.US_ASCII))
                    .isEqualTo("Bearer t0k");
        }
    }

    @Test
    void reportsStatusWithEmptyBody() throws Exception {
        try (PlainHttpConnection connection = new PlainHttpConnection(uri("/echo"), "application/json", null, 5_000)) {
            assertThat(connection.post(new byte[0]).status()).isEqualTo(400);
        }
    }

    @Test
    void failsWhenTheServerClosesWithoutReplying() throws Exception {
        try (PlainHttpConnection connection = new PlainHttpConnection(uri("/close"), "application/json", null, 5_000)) {
            assertThatThrownBy(() -> connection.post("{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(EOFException.class);
        }
    }

    @Test
    void refusesHttps() {
        assertThatThrownBy(() ->
                        new PlainHttpConnection(URI.create("https://127.0.0.1:1/x"), "application/json", null, 100))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
