package io.backroute.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backroute.BackupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run catalog kept in an embedded SQLite database file, durable on every save and versioned by migrations.
 */
public final class SqliteRunCatalog implements RunCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteRunCatalog.class);
    private static final String STAGE = "catalog";

    /**
     * Schema migrations; step i brings the database from user_version i to i + 1. Append only: a released
     * step is never edited, because databases in the field already ran it.
     */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE runs (
                        run_id        TEXT    PRIMARY KEY,
                        job           TEXT    NOT NULL,
                        trigger_name  TEXT,
                        status        TEXT    NOT NULL,
                        start_nanos   INTEGER NOT NULL,
                        start_iso     TEXT    NOT NULL,
                        end_iso       TEXT,
                        plain_bytes   INTEGER NOT NULL,
                        stored_bytes  INTEGER NOT NULL,
                        destinations  TEXT    NOT NULL,
                        error         TEXT
                    )""",
                    "CREATE INDEX runs_job_start ON runs (job, start_nanos)",
                    "CREATE INDEX runs_status ON runs (status)"));

    private static final String COLUMNS =
            "run_id, job, trigger_name, status, start_iso, end_iso, plain_bytes, stored_bytes, destinations, error";
    // Ties on start are broken by run id so that every read has one deterministic order.
    private static final String NEWEST_FIRST = " ORDER BY start_nanos DESC, run_id DESC";

    private final Path dbFile;
    private final ObjectMapper json = new ObjectMapper();
    /** One connection serialised by this lock: SQLite has a single writer anyway, and it keeps reads consistent. */
    private final Object lock = new Object();
    private Connection connection;

    public SqliteRunCatalog(Path dbFile) {
        this.dbFile = dbFile.toAbsolutePath();
        try {
            Path parent = this.dbFile.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            connection = DriverManager.getConnection("jdbc:sqlite:" + this.dbFile);
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA journal_mode = WAL");
                // FULL fsyncs the WAL on every commit: a record is on disk when save returns.
                st.execute("PRAGMA synchronous = FULL");
            }
            migrate();
        } catch (SQLException | IOException e) {
            closeQuietly();
            throw failure("cannot open run catalog " + this.dbFile + ": " + e.getMessage(), e);
        }
    }

    /** Schema version this code writes; equals the number of migration steps. */
    public static int schemaVersion() {
        return MIGRATIONS.size();
    }

    public Path file() {
        return dbFile;
    }

    private void migrate() throws SQLException {
        int version;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version > MIGRATIONS.size()) {
            throw new SQLException("schema version " + version + " is newer than this Backroute supports ("
                    + MIGRATIONS.size() + "); refusing to touch it");
        }
        for (int step = version; step < MIGRATIONS.size(); step++) {
            connection.setAutoCommit(false);
            try (Statement st = connection.createStatement()) {
                for (String sql : MIGRATIONS.get(step)) {
                    st.execute(sql);
                }
                st.execute("PRAGMA user_version = " + (step + 1));
                connection.commit();
                LOG.info("Run catalog {} migrated to schema version {}", dbFile, step + 1);
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    @Override
    public void save(RunRecord run) {
        String sql = "INSERT INTO runs (run_id, job, trigger_name, status, start_nanos, start_iso, end_iso, plain_bytes,"
                + " stored_bytes, destinations, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (run_id) DO UPDATE SET job = excluded.job, trigger_name = excluded.trigger_name,"
                + " status = excluded.status, start_nanos = excluded.start_nanos, start_iso = excluded.start_iso,"
                + " end_iso = excluded.end_iso, plain_bytes = excluded.plain_bytes, stored_bytes = excluded.stored_bytes,"
                + " destinations = excluded.destinations, error = excluded.error";
        String destinations = destinationsToJson(run.destinations());
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(sql)) {
                ps.setString(1, run.runId());
                ps.setString(2, run.job());
                ps.setString(3, run.trigger());
                ps.setString(4, run.status().name());
                ps.setLong(5, orderKey(run.start()));
                ps.setString(6, run.start().toString());
                if (run.end() == null) {
                    ps.setNull(7, Types.VARCHAR);
                } else {
                    ps.setString(7, run.end().toString());
                }
                ps.setLong(8, run.plainBytes());
                ps.setLong(9, run.storedBytes());
                ps.setString(10, destinations);
                ps.setString(11, run.error());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw failure("cannot save run " + run.runId() + " in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<RunRecord> find(String runId) {
        return query("find run " + runId, "SELECT " + COLUMNS + " FROM runs WHERE run_id = ?", runId)
                .stream().findFirst();
    }

    @Override
    public List<RunRecord> history(String job, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("history limit must be positive, got " + limit);
        }
        return query("read history of job " + job,
                "SELECT " + COLUMNS + " FROM runs WHERE job = ?" + NEWEST_FIRST + " LIMIT ?", job, limit);
    }

    @Override
    public Optional<RunRecord> lastRun(String job) {
        return history(job, 1).stream().findFirst();
    }

    @Override
    public Optional<RunRecord> lastGood(String job) {
        return query("read last good run of job " + job,
                "SELECT " + COLUMNS + " FROM runs WHERE job = ? AND status IN (?, ?)" + NEWEST_FIRST + " LIMIT 1",
                job, RunStatus.SUCCESS.name(), RunStatus.PARTIAL.name()).stream().findFirst();
    }

    @Override
    public Optional<RunRecord> lastWithStatus(String job, RunStatus status) {
        return query("read last " + status + " run of job " + job,
                "SELECT " + COLUMNS + " FROM runs WHERE job = ? AND status = ?" + NEWEST_FIRST + " LIMIT 1",
                job, status.name()).stream().findFirst();
    }

    /** Runs of a job that started in {@code [from, to)}, newest first. */
    public List<RunRecord> runsBetween(String job, Instant from, Instant to) {
        return query("read runs of job " + job + " between " + from + " and " + to,
                "SELECT " + COLUMNS + " FROM runs WHERE job = ? AND start_nanos >= ? AND start_nanos < ?" + NEWEST_FIRST,
                job, orderKey(from), orderKey(to));
    }

    /** Number of runs of a job per status that started at or after {@code since}; every status is present, zero included. */
    public Map<RunStatus, Long> countByStatus(String job, Instant since) {
        Map<RunStatus, Long> counts = new EnumMap<>(RunStatus.class);
        for (RunStatus s : RunStatus.values()) {
            counts.put(s, 0L);
        }
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(
                    "SELECT status, COUNT(*) FROM runs WHERE job = ? AND start_nanos >= ? GROUP BY status")) {
                ps.setString(1, job);
                ps.setLong(2, orderKey(since));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(RunStatus.valueOf(rs.getString(1)), rs.getLong(2));
                    }
                }
            } catch (SQLException e) {
                throw failure("cannot count runs of job " + job + " in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
        return counts;
    }

    /** Ids of every job that has at least one run, sorted. */
    public List<String> jobs() {
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement("SELECT DISTINCT job FROM runs ORDER BY job");
                 ResultSet rs = ps.executeQuery()) {
                List<String> jobs = new ArrayList<>();
                while (rs.next()) {
                    jobs.add(rs.getString(1));
                }
                return jobs;
            } catch (SQLException e) {
                throw failure("cannot list jobs in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public int markInterrupted(String message) {
        // end stays null: when the dead process stopped working on the run is unknown.
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(
                    "UPDATE runs SET status = ?, error = ? WHERE status = ?")) {
                ps.setString(1, RunStatus.FAILED.name());
                ps.setString(2, message);
                ps.setString(3, RunStatus.RUNNING.name());
                int n = ps.executeUpdate();
                if (n > 0) {
                    LOG.warn("Run catalog {}: {} run(s) found RUNNING from a previous process marked FAILED", dbFile, n);
                }
                return n;
            } catch (SQLException e) {
                throw failure("cannot mark interrupted runs in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw failure("cannot close run catalog " + dbFile + ": " + e.getMessage(), e);
                } finally {
                    connection = null;
                }
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (BackupException ignored) {
            // the open failure being reported is the useful error
        }
    }

    private Connection open() {
        if (connection == null) {
            throw failure("run catalog " + dbFile + " is closed", null);
        }
        return connection;
    }

    private List<RunRecord> query(String what, String sql, Object... params) {
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    List<RunRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(toRecord(rs));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw failure("cannot " + what + " in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    private RunRecord toRecord(ResultSet rs) throws SQLException {
        String runId = rs.getString("run_id");
        String end = rs.getString("end_iso");
        return new RunRecord(runId, rs.getString("job"), rs.getString("trigger_name"),
                RunStatus.valueOf(rs.getString("status")), Instant.parse(rs.getString("start_iso")),
                end == null ? null : Instant.parse(end), rs.getLong("plain_bytes"), rs.getLong("stored_bytes"),
                destinationsFromJson(runId, rs.getString("destinations")), rs.getString("error"));
    }

    /**
     * Epoch nanoseconds: orders like the Instant within 1677..2262 and saturates outside, so query bounds such as
     * {@link Instant#MIN} still work.
     */
    private static long orderKey(Instant t) {
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException overflow) {
            return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private String destinationsToJson(List<DestinationResult> results) {
        ArrayNode array = json.createArrayNode();
        for (DestinationResult r : results) {
            ObjectNode node = array.addObject();
            node.put("destination", r.destination());
            node.put("ok", r.ok());
            node.put("bytes", r.bytes());
            node.put("durationMs", r.durationMs());
            ArrayNode artifacts = node.putArray("artifacts");
            if (r.artifacts() != null) {
                r.artifacts().forEach(artifacts::add);
            }
            node.put("error", r.error());
        }
        return array.toString();
    }

    private List<DestinationResult> destinationsFromJson(String runId, String text) {
        try {
            List<DestinationResult> out = new ArrayList<>();
            for (JsonNode node : json.readTree(text)) {
                List<String> artifacts = new ArrayList<>();
                node.path("artifacts").forEach(a -> artifacts.add(a.asText()));
                JsonNode error = node.path("error");
                out.add(new DestinationResult(node.path("destination").asText(), node.path("ok").asBoolean(),
                        node.path("bytes").asLong(), node.path("durationMs").asLong(), List.copyOf(artifacts),
                        error.isNull() || error.isMissingNode() ? null : error.asText()));
            }
            return out;
        } catch (IOException e) {
            throw failure("run " + runId + " in run catalog " + dbFile + " has unreadable destination results: "
                    + e.getMessage(), e);
        }
    }

    private static BackupException failure(String message, Throwable cause) {
        return new BackupException(STAGE, message, cause);
    }
}
