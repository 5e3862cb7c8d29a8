/**
 * Strict text encodings shared by the C2SP formats: canonical base64 (RFC 4648 §4) and ASCII
 * decimals without leading zeroes. Every decoder here accepts exactly one spelling per value, so
 * that two parsers can never read one input differently.
 */
package dev.indelible.formats.encoding;
