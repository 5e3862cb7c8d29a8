package dev.indelible.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one exception mapper: turns every error into an RFC 9457 problem+json body with a stable
 * {@code code}, the right status, and {@code Retry-After} on retryable errors. Unexpected
 * exceptions become a 500 whose detail reveals nothing internal; the stack goes to the server log.
 */
final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "https://indelible.dev/problems/";

    private Problems() {}

    static void write(Context ctx, ObjectMapper json, ErrorCode code, String detail) {
        ObjectNode body = body(json, code, detail, ctx.path());
        if (code.retryable() && ctx.res().getHeader("Retry-After") == null) {
            ctx.header("Retry-After", "1");
        }
        ctx.attribute("problem", code);
        ctx.status(code.httpStatus()).contentType(CONTENT_TYPE).result(body.toString());
    }

    static void map(Exception e, Context ctx, ObjectMapper json) {
        if (e instanceof IndelibleException ie) {
            if (ie.code() == ErrorCode.STORAGE_FAILED || ie.code() == ErrorCode.INTERNAL) {
                LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), ie.getMessage(), ie);
            }
            write(ctx, json, ie.code(), ie.getMessage());
        } else {
            LOG.error("{} {} failed unexpectedly", ctx.method(), ctx.path(), e);
            write(ctx, json, ErrorCode.INTERNAL, "internal error; see the server log");
        }
    }

    /** The problem+json body of {@code code} for a request to {@code path} (null: unknown, no {@code instance}). */
    static ObjectNode body(ObjectMapper json, ErrorCode code, String detail, String path) {
        ObjectNode body = json.createObjectNode();
        body.put("type", TYPE_PREFIX + code.code());
        body.put("title", title(code));
        body.put("status", code.httpStatus());
        body.put("detail", detail);
        body.put("code", code.code());
        if (path != null) {
            body.put("instance", path);
        }
        return body;
    }

    private static String title(ErrorCode code) {
        String words = code.code().replace('-', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
