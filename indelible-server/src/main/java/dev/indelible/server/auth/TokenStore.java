package dev.indelible.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The bearer tokens of one data directory, in {@code <data>/auth/tokens.json}.
 *
 * <p>A token is {@code idl_} followed by 256 random bits in base64url; it is shown once, when it is
 * created, and only its SHA-256 is stored. Looking a presented token up hashes it first, finds the
 * candidate by hash and confirms with {@link MessageDigest#isEqual} (constant time): the timing of
 * the lookup can reveal at most something about the SHA-256 of the presented string, which does not
 * help find a preimage.
 *
 * <p>The file is replaced atomically (temporary file, fsync, rename, fsync of the directory) under
 * an exclusive lock on {@code tokens.lock}, so the offline CLI ({@code indelible token}) and a
 * running server can both edit it without losing an update. A running server notices changes made
 * by others within {@link #RELOAD_CHECK_INTERVAL}: every authentication at most that often compares
 * the file's identity (inode, size, modification time) and re-reads it if it changed.
 *
 * <p>In a cluster the file holds two kinds of tokens: the node's own (the bootstrap admin token, and
 * those the offline CLI made) and those the cluster replicated through its Raft log ({@link #put},
 * {@link #revoke}, called by {@link ClusterTokens} on the Raft apply thread). Both authenticate
 * alike; only the replicated ones exist on every node.
 *
 * <p>Thread-safe.
 */
public final class TokenStore implements TokenAdministration {
    /** The prefix of every token: makes leaked tokens easy to find with secret scanners. */
    public static final String TOKEN_PREFIX = "idl_";
    /** How often, at most, authentication checks whether the file changed. */
    public static final Duration RELOAD_CHECK_INTERVAL = Duration.ofMillis(100);
    /** The most tokens one file may hold (revoked ones included). */
    public static final int TOKENS_MAX = 10_000;
    /** The largest token file read. */
    static final long FILE_MAX_BYTES = 16L << 20;

    static final String FILE_NAME = "tokens.json";
    private static final String LOCK_NAME = "tokens.lock";
    private static final int FORMAT_VERSION = 1;
    private static final int SECRET_BYTES = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SECRET = Pattern.compile(TOKEN_PREFIX + "[A-Za-z0-9_-]{43}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final FileIO io;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();
    private volatile Snapshot snapshot = new Snapshot(null, Map.of());
    private volatile long lastCheckNanos = Long.MIN_VALUE;

    /** What is stored about one token: never the secret. */
    public record TokenInfo(
            String name,
            String sha256,
            Set<Scope> scopes,
            Instant createdAt,
            Optional<Instant> expiresAt,
            boolean revoked) {
        /** Copies the scopes. */
        public TokenInfo {
            scopes = Set.copyOf(scopes);
        }

        /** Whether the token authenticates at {@code now}. */
        public boolean validAt(Instant now) {
            return !revoked && expiresAt.map(now::isBefore).orElse(true);
        }
    }

    /** A token just created: the secret is in {@link #secret} and nowhere else. */
    public record IssuedToken(String secret, TokenInfo info) {
        @Override
        public String toString() {
            return "IssuedToken[" + info.name() + "]";
        }
    }

    /** Why a presented token did or did not authenticate. The reason is for {@code _access} only. */
    public record Lookup(Optional<TokenInfo> token, String reason) {}

    private record Snapshot(Object fileIdentity, Map<String, TokenInfo> bySha256) {}

    private TokenStore(Path directory, FileIO io, Clock clock) {
        this.directory = directory;
        this.io = io;
        this.clock = clock;
    }

    /** Opens (without creating) the token file of the data directory {@code dataDirectory}. */
    public static TokenStore open(Path dataDirectory, Clock clock) throws IOException {
        TokenStore store = new TokenStore(dataDirectory.resolve("auth"), FileIO.posix(), clock);
        store.reloadIfChanged();
        return store;
    }

    /** Whether the token file exists (it does once any token was created). */
    public boolean exists() {
        return Files.exists(directory.resolve(FILE_NAME));
    }

    /**
     * Creates a token and stores its hash durably.
     *
     * @param validity how long the token is valid, or empty for no expiry
     * @throws IllegalArgumentException if the name is invalid or taken, or there is no scope
     */
    @Override
    public IssuedToken create(String name, Set<Scope> scopes, Optional<Duration> validity) throws IOException {
        IssuedToken issued = mint(name, scopes, validity);
        TokenInfo info = issued.info();
        modify(tokens -> {
            if (holdsName(tokens, name)) {
                throw new IllegalArgumentException(
                        "a token named \"" + name + "\" exists; revoked names are not reused");
            }
            if (tokens.size() >= TOKENS_MAX) {
                throw new IllegalArgumentException("the token file holds " + TOKENS_MAX + " tokens, the maximum");
            }
            tokens.put(info.sha256(), info);
            return true;
        });
        return issued;
    }

    /**
     * Makes a token without storing it: a fresh secret, its hash, and the creation and expiry times
     * from this store's clock. For a cluster, whose nodes store it when the Raft log applies it.
     *
     * @throws IllegalArgumentException if the name is invalid or there is no scope
     */
    IssuedToken mint(String name, Set<Scope> scopes, Optional<Duration> validity) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "token name \"" + name + "\" is invalid; want [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a token needs at least one scope");
        }
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        String secret = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        return new IssuedToken(
                secret, new TokenInfo(name, sha256Hex(secret), scopes, now, validity.map(now::plus), false));
    }

    private static boolean holdsName(Map<String, TokenInfo> tokens, String name) {
        return tokens.values().stream().anyMatch(t -> t.name().equals(name));
    }

    /**
     * Stores a token made elsewhere (replicated by the cluster) durably, unless a token with its hash
     * is stored already, revoked or not: putting it again changes nothing. Its name may equal that
     * of a token of this node's own; {@link #revoke} then revokes both.
     *
     * @return whether it was stored now
     */
    boolean put(TokenInfo info) throws IOException {
        return modify(tokens -> {
            if (tokens.containsKey(info.sha256())) {
                return false;
            }
            tokens.put(info.sha256(), info);
            return true;
        });
    }

    /**
     * Revokes every unrevoked token called {@code name} (one, unless the cluster replicated a token
     * whose name equals one of this node's own).
     *
     * @return whether a token of that name existed and was not yet revoked
     */
    @Override
    public boolean revoke(String name) throws IOException {
        return modify(tokens -> {
            boolean revoked = false;
            for (Map.Entry<String, TokenInfo> e : tokens.entrySet()) {
                TokenInfo t = e.getValue();
                if (t.name().equals(name) && !t.revoked()) {
                    e.setValue(new TokenInfo(t.name(), t.sha256(), t.scopes(), t.createdAt(), t.expiresAt(), true));
                    revoked = true;
                }
            }
            return revoked;
        });
    }

    /** Every token, in creation order. */
    @Override
    public List<TokenInfo> list() throws IOException {
        reloadIfChanged();
        return List.copyOf(snapshot.bySha256().values());
    }

    /** Checks a presented token: well-formed, known, not revoked, not expired. */
    public Lookup authenticate(String presented) {
        if (!SECRET.matcher(presented).matches()) {
            return new Lookup(Optional.empty(), "malformed token");
        }
        long now = System.nanoTime();
        if (now - lastCheckNanos >= RELOAD_CHECK_INTERVAL.toNanos()) {
            try {
                reloadIfChanged();
            } catch (IOException e) {
                // Keep serving the last good snapshot; a revocation will be seen once the file is readable.
                org.slf4j.LoggerFactory.getLogger(TokenStore.class)
                        .warn("cannot re-read the token file: {}", e.toString());
            }
        }
        String hash = sha256Hex(presented);
        TokenInfo candidate = snapshot.bySha256().get(hash);
        if (candidate == null || !MessageDigest.isEqual(utf8(candidate.sha256()), utf8(hash))) {
            return new Lookup(Optional.empty(), "unknown token");
        }
        if (candidate.revoked()) {
            return new Lookup(Optional.empty(), "revoked token " + candidate.name());
        }
        if (!candidate.validAt(clock.instant())) {
            return new Lookup(Optional.empty(), "expired token " + candidate.name());
        }
        return new Lookup(Optional.of(candidate), "token " + candidate.name());
    }

    private interface Change {
        boolean apply(Map<String, TokenInfo> tokens) throws IOException;
    }

    /** Read-modify-write under the cross-process lock; writes only if {@code change} says so. */
    private boolean modify(Change change) throws IOException {
        synchronized (lock) {
            io.createDirectories(directory);
            try (FileChannel lockChannel = FileChannel.open(
                            directory.resolve(LOCK_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lockChannel.lock()) {
                lastCheckNanos = Long.MIN_VALUE;
                reloadIfChanged();
                Map<String, TokenInfo> tokens = new LinkedHashMap<>(snapshot.bySha256());
                if (!change.apply(tokens)) {
                    return false;
                }
                io.replaceAtomically(directory.resolve(FILE_NAME), render(tokens));
                lastCheckNanos = Long.MIN_VALUE;
                reloadIfChanged();
                return true;
            }
        }
    }

    private void reloadIfChanged() throws IOException {
        synchronized (lock) {
            lastCheckNanos = System.nanoTime();
            Path file = directory.resolve(FILE_NAME);
            Object identity;
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                identity = List.of(
                        String.valueOf(attributes.fileKey()),
                        attributes.size(),
                        attributes.lastModifiedTime().toMillis());
                if (attributes.size() > FILE_MAX_BYTES) {
                    throw new IOException(file + " is " + attributes.size() + " bytes, more than " + FILE_MAX_BYTES);
                }
            } catch (NoSuchFileException e) {
                snapshot = new Snapshot(null, Map.of());
                return;
            }
            if (Objects.equals(identity, snapshot.fileIdentity())) {
                return;
            }
            snapshot = new Snapshot(identity, parse(Files.readAllBytes(file), file));
        }
    }

    private static Map<String, TokenInfo> parse(byte[] content, Path file) throws IOException {
        JsonNode root = JSON.readTree(content);
        if (root == null || root.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new IOException(file + " is not a version " + FORMAT_VERSION + " token file");
        }
        Map<String, TokenInfo> tokens = new LinkedHashMap<>();
        try {
            for (JsonNode t : root.path("tokens")) {
                Set<Scope> scopes = new TreeSet<>(java.util.Comparator.comparing(Scope::toString));
                t.path("scopes").forEach(s -> scopes.add(Scope.parse(s.asText())));
                JsonNode expires = t.path("expiresAt");
                TokenInfo info = new TokenInfo(
                        t.path("name").asText(),
                        t.path("sha256").asText(),
                        scopes,
                        Instant.parse(t.path("createdAt").asText()),
                        expires.isTextual() ? Optional.of(Instant.parse(expires.asText())) : Optional.empty(),
                        t.path("revoked").asBoolean(false));
                if (info.sha256().length() != 64) {
                    throw new IOException(file + ": token " + info.name() + " has no SHA-256");
                }
                tokens.put(info.sha256(), info);
            }
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
        return tokens;
    }

    private static byte[] render(Map<String, TokenInfo> tokens) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", FORMAT_VERSION);
        ArrayNode array = root.putArray("tokens");
        for (TokenInfo t : tokens.values()) {
            ObjectNode node = array.addObject();
            node.put("name", t.name());
            node.put("sha256", t.sha256());
            ArrayNode scopes = node.putArray("scopes");
            t.scopes().stream().map(Scope::toString).sorted().forEach(scopes::add);
            node.put("createdAt", t.createdAt().toString());
            t.expiresAt().ifPresent(e -> node.put("expiresAt", e.toString()));
            node.put("revoked", t.revoked());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    static String sha256Hex(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8(secret)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a validity such as {@code 90d}, {@code 12h}, {@code 30m} or an ISO-8601 duration. */
    public static Duration parseValidity(String text) {
        try {
            if (text.matches("[1-9][0-9]{0,5}[dhm]")) {
                long n = Long.parseLong(text.substring(0, text.length() - 1));
                return switch (text.charAt(text.length() - 1)) {
                    case 'd' -> Duration.ofDays(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofMinutes(n);
                };
            }
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("validity must be positive, got " + text);
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "validity \"" + text + "\" is invalid; want e.g. 90d, 12h, 30m or PT1H", e);
        }
    }
}
