package dev.indelible.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection that POSTs request bodies and reads the replies: the load
 * loop of {@code indelible bench} for {@code http://} URLs.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on a 2-core machine it spent about as much CPU per
 * small request as the server did to handle it (its asynchronous pipeline hops between several
 * threads per exchange), so the load generator, not the server, set the single-event numbers. This
 * client writes the request with one {@code write} and reads the reply on the calling thread
 * (Content-Length or chunked bodies; no redirects, no TLS). Not thread-safe: one per load thread.
 */
final class PlainHttpConnection implements AutoCloseable {
    private static final int BODY_MAX_BYTES = 64 << 20;
    private static final int LINE_MAX_BYTES = 16 << 10;

    /** A reply: its status code and body. */
    record Reply(int status, byte[] body) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] head;

    /**
     * Connects to {@code uri}'s host; every {@link #post} goes to its path with {@code contentType}
     * and, when {@code bearerToken} is not null, an {@code Authorization: Bearer} header.
     */
    PlainHttpConnection(URI uri, String contentType, String bearerToken, int timeoutMillis) throws IOException {
        if (!"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("plain connections speak http only, got " + uri);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(uri.getHost(), port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String authorization = bearerToken == null ? "" : "Authorization: Bearer " + bearerToken + "\r\n";
        head = ("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + port + "\r\n" + authorization
                        + "Content-Type: " + contentType + "\r\nContent-Length: ")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code body} and returns the reply; throws if the connection breaks or the reply is malformed. */
    Reply post(byte[] body) throws IOException {
        out.write(head);
        out.write((body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IOException("malformed header line: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
        byte[] reply = chunked ? readChunked() : readFixed(length);
        return new Reply(status, reply);
    }

    private byte[] readFixed(long length) throws IOException {
        if (length < 0 || length > BODY_MAX_BYTES) {
            throw new IOException("reply without a usable Content-Length: " + length);
        }
        return in.readNBytes((int) length);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers: ignored
                }
                return body.toByteArray();
            }
            if (body.size() + size > BODY_MAX_BYTES) {
                throw new IOException("reply larger than " + BODY_MAX_BYTES + " bytes");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("connection closed inside a chunk");
            }
            body.writeBytes(chunk);
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() >= LINE_MAX_BYTES) {
                throw new IOException("header line longer than " + LINE_MAX_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
