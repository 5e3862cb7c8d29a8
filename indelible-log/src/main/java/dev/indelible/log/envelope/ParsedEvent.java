package dev.indelible.log.envelope;

import java.util.Optional;

/**
 * One event accepted by {@link EventParser}.
 *
 * <p>The record owns its values: callers MUST NOT mutate {@code canonicalBytes}, which is what the
 * log commits to.
 *
 * @param canonicalBytes the RFC 8785 canonical UTF-8 form of the event; numbers in it are the
 *     doubles the event's numbers read as (integers beyond 2^53 rounded to the nearest)
 * @param clientId the top-level string member {@code "id"}, if the event has one: a client-chosen
 *     idempotency key for later deduplication; the event itself is not changed
 */
public record ParsedEvent(byte[] canonicalBytes, Optional<String> clientId) {}
