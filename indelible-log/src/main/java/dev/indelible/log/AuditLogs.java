package dev.indelible.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every log of one server, under {@code <data>/logs/<name>/}. A log is created on its first append:
 * its metadata file {@code log.json} (name, origin, format version) is written atomically and
 * never changes, so the origin of its checkpoints is fixed for life.
 *
 * <p>Thread-safe; creation of one log is serialized.
 */
public final class AuditLogs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLogs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT_VERSION = 1;

    /**
     * What every log of this server shares.
     *
     * @param signers the checkpoint signer of the log with a given origin
     */
    public record Settings(
            Path dataDirectory,
            String originHost,
            Function<String, CheckpointSigner> signers,
            LogConfig config,
            Clock clock) {}

    private final Settings settings;
    private final FileIO io;
    private final Sequencer.Factory sequencers;
    private final Map<LogName, AuditLog> logs = new ConcurrentHashMap<>();

    private AuditLogs(Settings settings, FileIO io, Sequencer.Factory sequencers) {
        this.settings = settings;
        this.io = io;
        this.sequencers = sequencers;
    }

    /** Opens (and recovers) every log found under the data directory; single node (local sequencers). */
    public static AuditLogs open(Settings settings, FileIO io) throws IOException {
        return open(settings, io, log -> LocalSequencer.start(log, settings.config(), settings.clock()));
    }

    /** Opens (and recovers) every log found under the data directory, sequencing with {@code sequencers}. */
    public static AuditLogs open(Settings settings, FileIO io, Sequencer.Factory sequencers) throws IOException {
        AuditLogs registry = new AuditLogs(settings, io, sequencers);
        Path root = registry.logsDirectory();
        io.createDirectories(root);
        try (var children = Files.list(root)) {
            for (Path child : children.filter(Files::isDirectory).sorted().toList()) {
                if (Files.exists(child.resolve("log.json"))) {
                    registry.openExisting(child);
                }
            }
        }
        return registry;
    }

    /** The directory that holds every log. */
    public Path logsDirectory() {
        return settings.dataDirectory().resolve("logs");
    }

    private void openExisting(Path directory) throws IOException {
        JsonNode meta = JSON.readTree(directory.resolve("log.json").toFile());
        int version = meta.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IOException(directory + "/log.json has format version " + version + ", want " + FORMAT_VERSION);
        }
        LogName name = new LogName(meta.path("name").asText());
        String origin = meta.path("origin").asText();
        LogStorage storage = LogStorage.open(directory, io, settings.config());
        logs.put(name, new AuditLog(name, origin, storage, settings.signers().apply(origin), sequencers));
        LOG.info("opened log {} at tree size {}", name, storage.head().treeSize());
    }

    /** The log called {@code name}, if it exists. */
    public Optional<AuditLog> find(LogName name) {
        return Optional.ofNullable(logs.get(name));
    }

    /** The log called {@code name}, which must exist. */
    public AuditLog require(LogName name) {
        return find(name).orElseThrow(() -> new IndelibleException(ErrorCode.LOG_NOT_FOUND, "no log named " + name));
    }

    /** The log called {@code name}, created (durably, with its origin fixed) if missing. */
    public AuditLog getOrCreate(LogName name) {
        AuditLog existing = logs.get(name);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            return logs.computeIfAbsent(name, this::create);
        }
    }

    private AuditLog create(LogName name) {
        Path directory = logsDirectory().resolve(name.value());
        String origin = settings.originHost() + "/" + name.value();
        try {
            io.createDirectories(directory);
            ObjectNode meta = JSON.createObjectNode();
            meta.put("formatVersion", FORMAT_VERSION);
            meta.put("name", name.value());
            meta.put("origin", origin);
            io.replaceAtomically(
                    directory.resolve("log.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            io.syncDirectory(logsDirectory());
            LogStorage storage = LogStorage.open(directory, io, settings.config());
            LOG.info("created log {} with origin {}", name, origin);
            return new AuditLog(name, origin, storage, settings.signers().apply(origin), sequencers);
        } catch (IOException e) {
            throw new IndelibleException(
                    ErrorCode.STORAGE_FAILED, "could not create log " + name + ": " + e.getMessage(), e);
        }
    }

    /** Every log, by name. */
    public List<AuditLog> all() {
        return logs.values().stream()
                .sorted(Comparator.comparing((AuditLog log) -> log.name().value()))
                .toList();
    }

    @Override
    public void close() {
        UncheckedIOException first = null;
        for (AuditLog log : logs.values()) {
            try {
                log.close();
            } catch (IOException e) {
                LOG.error("closing log {} failed", log.name(), e);
                if (first == null) {
                    first = new UncheckedIOException(e);
                }
            }
        }
        logs.clear();
        if (first != null) {
            throw first;
        }
    }
}
