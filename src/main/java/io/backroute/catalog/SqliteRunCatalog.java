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
                    "CREATE INDEX runs_status ON runs (status)"),
            List.of("""
                    CREATE TABLE drills (
                        drill_id      TEXT    PRIMARY KEY,
                        job           TEXT    NOT NULL,
                        run_id        TEXT,
                        destination   TEXT,
                        artifacts     TEXT    NOT NULL,
                        status        TEXT    NOT NULL,
                        start_nanos   INTEGER NOT NULL,
                        start_iso     TEXT    NOT NULL,
                        end_iso       TEXT,
                        rto_ms        INTEGER NOT NULL,
                        plain_bytes   INTEGER NOT NULL,
                        checks        TEXT    NOT NULL,
                        error         TEXT
                    )""",
                    "CREATE INDEX drills_job_start ON drills (job, start_nanos)",
                    "CREATE INDEX drills_run ON drills (run_id, status)"),
            List.of("""
                    CREATE TABLE verifications (
                        id            INTEGER PRIMARY KEY AUTOINCREMENT,
                        job           TEXT    NOT NULL,
                        destination   TEXT    NOT NULL,
                        artifact      TEXT    NOT NULL,
                        run_id        TEXT,
                        time_nanos    INTEGER NOT NULL,
                        time_iso      TEXT    NOT NULL,
                        level         TEXT    NOT NULL,
                        ok            INTEGER NOT NULL,
                        by_what       TEXT    NOT NULL,
                        detail        TEXT
                    )""",
                    "CREATE INDEX verifications_artifact ON verifications (job, destination, artifact, time_nanos)"));

    private static final String DRILL_COLUMNS = "drill_id, job, run_id, destination, artifacts, status, start_iso, end_iso,"
            + " rto_ms, plain_bytes, checks, error";

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
    public void saveDrill(DrillRecord d) {
        String sql = "INSERT INTO drills (drill_id, job, run_id, destination, artifacts, status, start_nanos, start_iso,"
                + " end_iso, rto_ms, plain_bytes, checks, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (drill_id) DO UPDATE SET job = excluded.job, run_id = excluded.run_id,"
                + " destination = excluded.destination, artifacts = excluded.artifacts, status = excluded.status,"
                + " start_nanos = excluded.start_nanos, start_iso = excluded.start_iso, end_iso = excluded.end_iso,"
                + " rto_ms = excluded.rto_ms, plain_bytes = excluded.plain_bytes, checks = excluded.checks, error = excluded.error";
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(sql)) {
                ps.setString(1, d.drillId());
                ps.setString(2, d.job());
                ps.setString(3, d.runId());
                ps.setString(4, d.destination());
                ps.setString(5, json.valueToTree(d.artifacts()).toString());
                ps.setString(6, d.status().name());
                ps.setLong(7, orderKey(d.start()));
                ps.setString(8, d.start().toString());
                ps.setString(9, d.end() == null ? null : d.end().toString());
                ps.setLong(10, d.rtoMillis());
                ps.setLong(11, d.plainBytes());
                ps.setString(12, json.valueToTree(d.checks()).toString());
                ps.setString(13, d.error());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw failure("cannot save drill " + d.drillId() + " in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<DrillRecord> lastDrill(String job) {
        return drills(job, 1).stream().findFirst();
    }

    @Override
    public List<DrillRecord> drills(String job, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("drill limit must be positive, got " + limit);
        }
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement("SELECT " + DRILL_COLUMNS + " FROM drills WHERE job = ?"
                    + " ORDER BY start_nanos DESC, drill_id DESC LIMIT ?")) {
                ps.setString(1, job);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<DrillRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(toDrill(rs));
                    }
                    return out;
                }
            } catch (SQLException | IOException e) {
                throw failure("cannot read drills of job " + job + " in run catalog " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<Instant> lastGoodDrilledRun(String job) {
        // A run counts once any drill of it passed: a later failed drill of the same run (key lost, server down)
        // says something about the drill host, not about the artifacts.
        String sql = "SELECT r.start_iso FROM runs r WHERE r.job = ? AND r.status IN (?, ?) AND EXISTS"
                + " (SELECT 1 FROM drills d WHERE d.run_id = r.run_id AND d.status = ?)"
                + " ORDER BY r.start_nanos DESC, r.run_id DESC LIMIT 1";
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(sql)) {
                ps.setString(1, job);
                ps.setString(2, RunStatus.SUCCESS.name());
                ps.setString(3, RunStatus.PARTIAL.name());
                ps.setString(4, DrillRecord.Status.SUCCESS.name());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(Instant.parse(rs.getString(1))) : Optional.empty();
                }
            } catch (SQLException e) {
                throw failure("cannot read the last drilled run of job " + job + " in run catalog " + dbFile + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private DrillRecord toDrill(ResultSet rs) throws SQLException, IOException {
        List<String> artifacts = new ArrayList<>();
        json.readTree(rs.getString("artifacts")).forEach(n -> artifacts.add(n.asText()));
        List<String> checks = new ArrayList<>();
        json.readTree(rs.getString("checks")).forEach(n -> checks.add(n.asText()));
        String end = rs.getString("end_iso");
        return new DrillRecord(rs.getString("drill_id"), rs.getString("job"), rs.getString("run_id"),
                rs.getString("destination"), artifacts, DrillRecord.Status.valueOf(rs.getString("status")),
                Instant.parse(rs.getString("start_iso")), end == null ? null : Instant.parse(end), rs.getLong("rto_ms"),
                rs.getLong("plain_bytes"), checks, rs.getString("error"));
    }

    @Override
    public void saveVerification(VerificationRecord v) {
        String sql = "INSERT INTO verifications (job, destination, artifact, run_id, time_nanos, time_iso, level, ok, by_what,"
                + " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(sql)) {
                ps.setString(1, v.job());
                ps.setString(2, v.destination());
                ps.setString(3, v.artifact());
                ps.setString(4, v.runId());
                ps.setLong(5, orderKey(v.time()));
                ps.setString(6, v.time().toString());
                ps.setString(7, v.level().label());
                ps.setInt(8, v.ok() ? 1 : 0);
                ps.setString(9, v.by());
                ps.setString(10, v.detail());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw failure("cannot save the verification of " + v.artifact() + " at " + v.destination() + " in run catalog "
                        + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public List<VerificationRecord> lastVerifications(String job) {
        // the newest row per (destination, artifact); ids break ties of equal times in insertion order
        String sql = "SELECT v.* FROM verifications v WHERE v.job = ? AND v.id = (SELECT w.id FROM verifications w"
                + " WHERE w.job = v.job AND w.destination = v.destination AND w.artifact = v.artifact"
                + " ORDER BY w.time_nanos DESC, w.id DESC LIMIT 1) ORDER BY v.time_nanos DESC, v.id DESC";
        synchronized (lock) {
            try (PreparedStatement ps = open().prepareStatement(sql)) {
                ps.setString(1, job);
                try (ResultSet rs = ps.executeQuery()) {
                    List<VerificationRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new VerificationRecord(rs.getString("job"), rs.getString("destination"), rs.getString("artifact"),
                                rs.getString("run_id"), Instant.parse(rs.getString("time_iso")),
                                VerificationRecord.Level.fromLabel(rs.getString("level")), rs.getInt("ok") == 1,
                                rs.getString("by_what"), rs.getString("detail")));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw failure("cannot read the verifications of job " + job + " in run catalog " + dbFile + ": "
                        + e.getMessage(), e);
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
