package dev.indelible.bench.peer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The bench workload against PostgreSQL: {@code --jdbc URL} plus {@link LoadOptions}.
 *
 * <p>The table {@code audit_log} is append-only and hash-chained inside the database: a {@code
 * BEFORE INSERT} row trigger takes a transaction-scoped advisory lock (serializing chain extension
 * until commit), reads the newest row, and sets {@code seq = prev.seq + 1}, {@code prev_hash =
 * prev.hash}, {@code hash = sha256(prev_hash || payload)}; {@code UPDATE}, {@code DELETE} and
 * {@code TRUNCATE} raise an exception. Payloads are {@code jsonb} (the server validates the JSON,
 * as indelible does). One request is one transaction: a single {@code INSERT} in single-event mode,
 * a JDBC batch of {@code batch} rows (rewritten to multi-row inserts) otherwise. After the run the
 * whole chain is recomputed in SQL and tampering is attempted; either failing fails the run.
 */
public final class PostgresLoad {
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS audit_log (
                seq bigint PRIMARY KEY,
                payload jsonb NOT NULL,
                prev_hash bytea NOT NULL,
                hash bytea NOT NULL);
            CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                last_seq bigint;
                last_hash bytea;
            BEGIN
                PERFORM pg_advisory_xact_lock(7414);
                SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
                IF NOT FOUND THEN
                    last_seq := 0;
                    last_hash := decode(repeat('00', 32), 'hex');
                END IF;
                NEW.seq := last_seq + 1;
                NEW.prev_hash := last_hash;
                NEW.hash := sha256(last_hash || convert_to(NEW.payload::text, 'UTF8'));
                RETURN NEW;
            END $$;
            CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END $$;
            CREATE OR REPLACE TRIGGER audit_chain BEFORE INSERT ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_chain();
            CREATE OR REPLACE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_refuse();
            CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
            """;

    private static final String VERIFY = """
            SELECT count(*),
                   coalesce(max(seq), 0),
                   count(*) FILTER (WHERE hash <> sha256(prev_hash || convert_to(payload::text, 'UTF8'))
                                       OR prev_hash <> expected_prev)
            FROM (SELECT seq, payload, prev_hash, hash,
                         lag(hash, 1, decode(repeat('00', 32), 'hex')) OVER (ORDER BY seq) AS expected_prev
                  FROM audit_log) chain
            """;

    private PostgresLoad() {}

    /** Entry point; exits 0 when every request was committed and the chain verifies. */
    public static void main(String[] args) throws Exception {
        LoadOptions options = LoadOptions.parse(args);
        String url = options.require("jdbc");
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
        int status = OpenLoopRun.run(options, () -> new Client(url), () -> verify(url));
        System.exit(status);
    }

    private static String verify(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String tamper : List.of(
                    "UPDATE audit_log SET payload = '{}' WHERE seq = 1",
                    "DELETE FROM audit_log WHERE seq = 1",
                    "TRUNCATE audit_log")) {
                try {
                    s.execute(tamper);
                    throw new IllegalStateException("the table accepted: " + tamper);
                } catch (SQLException expected) {
                    // refused, as it must be
                }
            }
            try (ResultSet r = s.executeQuery(VERIFY)) {
                r.next();
                long rows = r.getLong(1);
                long maxSeq = r.getLong(2);
                long bad = r.getLong(3);
                if (rows != maxSeq || bad != 0) {
                    throw new IllegalStateException(
                            "chain broken: " + rows + " rows, max seq " + maxSeq + ", " + bad + " bad links");
                }
                return "chain of " + rows + " rows recomputed; UPDATE/DELETE/TRUNCATE refused";
            }
        }
    }

    /** One connection: one load thread's session. */
    private static final class Client implements AppendClient {
        private final Connection connection;
        private final PreparedStatement insert;

        Client(String url) throws SQLException {
            connection = DriverManager.getConnection(url);
            insert = connection.prepareStatement("INSERT INTO audit_log (payload) VALUES (?::jsonb)");
        }

        @Override
        public void append(List<byte[]> events) throws SQLException {
            if (events.size() == 1) {
                connection.setAutoCommit(true);
                insert.setString(1, new String(events.get(0), StandardCharsets.UTF_8));
                insert.executeUpdate();
                return;
            }
            connection.setAutoCommit(false);
            try {
                for (byte[] event : events) {
                    insert.setString(1, new String(event, StandardCharsets.UTF_8));
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}
