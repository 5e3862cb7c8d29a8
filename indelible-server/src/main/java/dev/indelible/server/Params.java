package dev.indelible.server;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import io.javalin.http.Context;

/** Strict parsing of path and query parameters into {@link ErrorCode#INVALID_PARAMETER} errors. */
final class Params {
    private Params() {}

    static long nonNegative(String text, String name) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IndelibleException(
                    ErrorCode.INVALID_PARAMETER, name + " must be a non-negative integer, got " + shorten(text));
        }
        if (value < 0 || !text.equals(Long.toString(value))) {
            throw new IndelibleException(
                    ErrorCode.INVALID_PARAMETER, name + " must be a non-negative integer, got " + shorten(text));
        }
        return value;
    }

    static long queryLong(Context ctx, String name, long fallback) {
        String text = ctx.queryParam(name);
        return text == null ? fallback : nonNegative(text, name);
    }

    static Hash hash(String base64, String name) {
        try {
            // A "+" in an unencoded query string arrives as a space; base64 never contains spaces.
            return Hash.fromBase64(base64.replace(' ', '+'));
        } catch (IllegalArgumentException e) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, name + " must be base64 of 32 bytes");
        }
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
