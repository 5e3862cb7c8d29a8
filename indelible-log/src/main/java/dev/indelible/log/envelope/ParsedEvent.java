package dev.indelible.log.envelope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * One event accepted by {@link EventParser}.
 *
 * <p>The record owns its values: callers MUST NOT mutate {@code event} or {@code canonicalBytes},
 * because {@code canonicalBytes} is what the log commits to and must stay the canonical form of
 * {@code event}.
 *
 * @param event the event as parsed; numbers are held as {@code int}/{@code long} nodes when they are
 *     integers of magnitude ≤ 2^53 and as {@code double} nodes otherwise, exactly the values the
 *     canonical form commits to
 * @param canonicalBytes the RFC 8785 canonical UTF-8 form of {@code event}
 * @param clientId the top-level string member {@code "id"}, if the event has one: a client-chosen
 *     idempotency key for later deduplication; the event itself is not changed
 */
public record ParsedEvent(ObjectNode event, byte[] canonicalBytes, Optional<String> clientId) {}
