package dev.indelible.server.auth;

/**
 * What a route requires. Every route of the server has exactly one rule in {@link RouteRules}; a
 * route without one stops the server from starting.
 */
public enum Rule {
    /** Anyone: health, readiness, and the 405 answers of the append-only stubs. */
    PUBLIC,
    /**
     * Verification material (checkpoints, hash tiles, proofs, log information): anyone while reads
     * are public, else {@code read:<log>}. System logs always need {@code admin}.
     */
    VERIFY,
    /** Listing logs: anyone while reads are public, else any principal (the list is filtered). */
    LIST,
    /** The tlog-tiles route: hash tiles are {@link #VERIFY}, entry bundles (entries!) are {@link #READ}. */
    TILE,
    /** Entry contents, ranges, bodies and exports: {@code read:<log>}; recorded in {@code _access}. */
    READ,
    /** Appending: {@code append:<log>}. The appended entries are their own record. */
    APPEND,
    /** Token and log administration: {@code admin}; recorded in {@code _access}. */
    ADMIN
}
