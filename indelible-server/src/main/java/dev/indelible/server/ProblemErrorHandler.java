package dev.indelible.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.log.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers, for requests Javalin never sees: a request whose headers exceed the
 * bound ({@code --request-header-max-bytes}) is refused by Jetty's parser. That 431 gets the same
 * problem+json body as every other error ({@code headers-too-large}); other statuses Jetty answers
 * itself keep its default body.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final ObjectMapper json;

    ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback)
            throws IOException {
        if (code != ErrorCode.HEADERS_TOO_LARGE.httpStatus()) {
            super.generateResponse(request, response, code, message, cause, callback);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.write(
                true, ByteBuffer.wrap(headersTooLarge(request.getHttpURI().getPath())), callback);
    }

    private byte[] headersTooLarge(String path) {
        return Problems.body(
                        json,
                        ErrorCode.HEADERS_TOO_LARGE,
                        "the request headers exceed the server's bound (--request-header-max-bytes)",
                        path)
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
