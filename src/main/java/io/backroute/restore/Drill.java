package io.backroute.restore;

import io.backroute.BackupException;
import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.DrillRecord;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.VerificationRecord;
import io.backroute.store.Destination;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one restore drill: restores every artifact of the newest run at a destination into scratch targets, checks
 * row counts against the manifest and the SQL assertions (or file count and bytes for directories), measures the
 * restore time, and drops every scratch target whatever happened.
 */
public final class Drill {

    private static final Logger LOG = LoggerFactory.getLogger(Drill.class);

    private final DrillSpec spec;
    private final Destination destination;
    private final Path workDir;
    private final List<String> checks = new ArrayList<>();
    private final List<String> restored = new ArrayList<>();
    private final Deque<Cleanup> cleanups = new ArrayDeque<>();
    private final List<VerificationRecord> verifications = new ArrayList<>();
    /** The artifact being restored or checked, null between artifacts: a failure now is this artifact's. */
    private ArtifactInfo current;
    private String drillId;
    private final List<DrillSpec.Assertion> pendingAssertions;
    private long rtoMillis = -1;
    private long plainBytes;

    private interface Cleanup {
        void run() throws Exception;
    }

    private Drill(DrillSpec spec, Destination destination, Path workDir) {
        this.spec = spec;
        this.destination = destination;
        this.workDir = workDir;
        this.pendingAssertions = new ArrayList<>(spec.assertions());
    }

    /**
     * The drill record and, per artifact restored or being restored when the drill failed, a full verification
     * (by {@code drill <drill id>}) for the run catalog.
     */
    public record Outcome(DrillRecord record, List<VerificationRecord> verifications) {
        public Outcome {
            verifications = List.copyOf(verifications);
        }
    }

    /**
     * @param workDir where SQLite files and directories are restored for the drill (a private subdirectory is
     *                created and removed)
     * @return the drill record and verifications; never throws for drill failures (they are in the record)
     */
    public static Outcome execute(DrillSpec spec, Destination destination, Path workDir, String drillId) {
        Drill d = new Drill(spec, destination, workDir);
        DrillRecord r = d.perform(drillId);
        return new Outcome(r, d.verifications);
    }

    private DrillRecord perform(String drillId) {
        this.drillId = drillId;
        Instant start = Instant.now();
        String runId = null;
        String error = null;
        try {
            ArtifactCatalog.Listing listing = ArtifactCatalog.list(destination, spec.job());
            ArtifactInfo newest = listing.latest().orElseThrow(() -> new BackupException("drill", "job " + spec.job()
                    + " has no manifested artifact at destination " + destination.name()));
            runId = newest.manifest().runId();
            String run = runId;
            List<ArtifactInfo> ofRun = listing.artifacts().stream().filter(a -> run.equals(a.manifest().runId())).toList();
            LOG.info("drill {}: restoring {} artifact(s) of run {} from destination {}", drillId, ofRun.size(), runId,
                    destination.name());
            Path dir = workDir.resolve(drillId);
            Files.createDirectories(workDir);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            cleanups.push(() -> deleteTree(dir));
            DecryptionKey key = key();
            for (int i = 0; i < ofRun.size(); i++) {
                drillOne(ofRun.get(i), key, dir, i);
            }
            if (!pendingAssertions.isEmpty()) {
                throw new BackupException("drill", "assertion(s) " + pendingAssertions.stream().map(DrillSpec.Assertion::name)
                        .toList() + " found no restored database artifact" + " of run " + runId + " to run against"
                        + " (check jobs." + spec.job() + ".drill.assert.<n>.label)");
            }
        } catch (BackupException e) {
            error = e.summary();
        } catch (Exception e) {
            error = "drill: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            if (error != null && current != null) {
                verified(current, error);
            }
            String cleanupError = cleanUp();
            if (cleanupError != null) {
                error = error == null ? cleanupError : error + "; " + cleanupError;
            }
        }
        DrillRecord r = new DrillRecord(drillId, spec.job(), runId, destination.name(), restored,
                error == null ? DrillRecord.Status.SUCCESS : DrillRecord.Status.FAILED, start, Instant.now(), rtoMillis,
                plainBytes, checks, error);
        if (r.ok()) {
            LOG.info("drill {} SUCCESS: run {} restored from {} in {} ms, {} check(s) passed", drillId, runId,
                    destination.name(), rtoMillis, checks.size());
        } else {
            LOG.error("drill {} FAILED: {}", drillId, error);
        }
        return r;
    }

    private DecryptionKey key() throws IOException {
        if (!Files.isRegularFile(spec.keyFile())) {
            throw new BackupException("drill", "the drill key " + spec.keyFile() + " (jobs." + spec.job()
                    + ".drill.key) does not exist on this host");
        }
        char[] pass = new char[0];
        if (spec.passphraseFile() != null) {
            pass = io.backroute.config.SecretFiles.readChars(spec.passphraseFile());
        }
        return new DecryptionKey(spec.keyFile(), pass);
    }

    private void drillOne(ArtifactInfo a, DecryptionKey key, Path dir, int index) throws Exception {
        Manifest m = a.manifest();
        String kind = m.artifactKind();
        String source = m.sourceKind();
        if ("postgresql".equals(source) && "globals".equals(m.label())) {
            checks.add("skipped " + a.key() + ": cluster globals (roles, tablespaces) are not restored by a drill");
            return;
        }
        boolean postgres = "postgresql".equals(source) && ("pgdump".equals(kind) || "sql".equals(kind));
        boolean mariadb = ("mariadb".equals(source) || "mysql".equals(source)) && "sql".equals(kind);
        String label = m.label() == null ? kind + "-" + index : ArtifactNames.sanitizeLabel(m.label());
        Scratch scratch;
        if (postgres || mariadb) {
            scratch = new Database(postgres);
        } else if ("sqlite".equals(kind)) {
            scratch = new SqliteFile(dir.resolve(label + ".sqlite"));
        } else if ("tar".equals(kind)) {
            scratch = new Directory(dir.resolve(label));
        } else {
            throw new BackupException("drill", a.describe() + " is a " + source + " " + kind
                    + " artifact, which drills cannot restore");
        }
        scratch.prepare();
        cleanups.push(scratch::drop);
        current = a;
        Restorer.Result r = Restorer.restore(destination, a, key, scratch.target(),
                new Restorer.Options(false, false, spec.dbPassword()));
        rtoMillis = Math.max(0, rtoMillis) + r.durationMs();
        plainBytes += r.plainBytes();
        restored.add(a.key());
        checks.add("restored " + a.key() + " into " + scratch.describe() + " in " + r.durationMs()
                + " ms (OpenPGP MDC, plain size and SHA-256 verified)");
        scratch.check(a);
        verified(a, null);
        current = null;
        cleanups.remove(scratch);
        scratch.drop();
    }

    private void verified(ArtifactInfo a, String error) {
        verifications.add(new VerificationRecord(spec.job(), destination.name(), a.key(), a.manifest().runId(), Instant.now(),
                VerificationRecord.Level.FULL, error == null, "drill " + drillId, error));
    }

    // ---- scratch targets

    private abstract class Scratch implements Cleanup {
        abstract void prepare() throws Exception;
        abstract String target();
        abstract String describe();
        abstract void check(ArtifactInfo a) throws Exception;
        abstract void drop() throws Exception;

        @Override
        public void run() throws Exception {
            drop();
        }
    }

    /** A scratch PostgreSQL or MariaDB database named by the drill target. */
    private final class Database extends Scratch {
        private final boolean postgres;
        private final String host;
        private final int port;
        private final String user;
        private final String scheme;

        Database(boolean postgres) {
            this.postgres = postgres;
            this.scheme = postgres ? "postgresql" : "mariadb";
            String url = spec.dbUrl();
            if (url == null || !url.toLowerCase(Locale.ROOT).startsWith(postgres ? "postg" : "m")) {
                throw new BackupException("drill", "jobs." + spec.job() + ".drill.db-url must name the " + scheme
                        + " server the scratch database is created on (" + scheme + "://user@host:port)");
            }
            try {
                URI u = new URI(url);
                host = u.getHost() == null ? "127.0.0.1" : u.getHost();
                port = u.getPort() < 0 ? (postgres ? 5432 : 3306) : u.getPort();
                user = u.getUserInfo();
            } catch (URISyntaxException e) {
                throw new BackupException("drill", "jobs." + spec.job() + ".drill.db-url is not a URL: " + e.getReason());
            }
        }

        private Connection connect(String db) throws SQLException {
            Properties p = new Properties();
            if (user != null) {
                p.setProperty("user", user);
            }
            if (spec.dbPassword() != null) {
                p.setProperty("password", spec.dbPassword());
            }
            return DriverManager.getConnection("jdbc:" + scheme + "://" + host + ":" + port + "/" + (db == null ? "" : db), p);
        }

        @Override
        String target() {
            return scheme + "://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + spec.target();
        }

        @Override
        String describe() {
            return "scratch database " + target();
        }

        @Override
        void prepare() throws SQLException {
            boolean exists;
            try (Connection c = connect(postgres ? "postgres" : null);
                 PreparedStatement ps = c.prepareStatement(postgres ? "select 1 from pg_database where datname = ?"
                         : "select 1 from information_schema.schemata where schema_name = ?")) {
                ps.setString(1, spec.target());
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            } catch (SQLException e) {
                throw new BackupException("drill", "cannot reach the drill " + scheme + " server " + host + ":" + port
                        + ": " + e.getMessage(), e);
            }
            if (exists) {
                LOG.warn("drill of job {}: {} is left over from an interrupted drill; dropping it first", spec.job(), describe());
                drop();
            }
        }

        @Override
        void check(ArtifactInfo a) throws SQLException {
            try (Connection c = connect(spec.target())) {
                if (spec.rowCounts()) {
                    rowCounts(c, a);
                }
                runAssertions(c, a);
            }
        }

        private void rowCounts(Connection c, ArtifactInfo a) throws SQLException {
            Object rows = a.manifest().source() == null ? null : a.manifest().source().get("tableRows");
            if (!(rows instanceof Map<?, ?> estimates) || estimates.isEmpty()) {
                checks.add("no row counts in the manifest of " + a.key() + " to compare with");
                return;
            }
            int compared = 0;
            for (Map.Entry<?, ?> e : estimates.entrySet()) {
                String table = e.getKey().toString();
                long expected = ((Number) e.getValue()).longValue();
                if (expected < 0) {
                    continue; // never analyzed: the source had no estimate to compare with
                }
                long actual;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from " + quoteTable(table))) {
                    rs.next();
                    actual = rs.getLong(1);
                } catch (SQLException missing) {
                    throw new BackupException("drill", "table " + table + " recorded in the manifest of " + a.key()
                            + " cannot be counted in the restored database: " + missing.getMessage());
                }
                double allowed = Math.max(10, expected * spec.rowTolerancePercent() / 100.0);
                if (Math.abs(actual - expected) > allowed) {
                    throw new BackupException("drill", "table " + table + " restored from " + a.key() + " has " + actual
                            + " rows; the source had about " + expected + " (estimate, tolerance "
                            + spec.rowTolerancePercent() + "%)");
                }
                compared++;
            }
            checks.add("row counts of " + compared + " table(s) match the manifest's estimates (within "
                    + spec.rowTolerancePercent() + "%)");
        }

        private String quoteTable(String table) {
            String q = postgres ? "\"" : "`";
            StringBuilder sb = new StringBuilder();
            for (String part : table.split("\\.", 2)) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(q).append(part.replace(q, q + q)).append(q);
            }
            return sb.toString();
        }

        @Override
        void drop() throws SQLException {
            try (Connection c = connect(postgres ? "postgres" : null); Statement st = c.createStatement()) {
                st.execute(postgres ? "drop database if exists \"" + spec.target() + "\" with (force)"
                        : "drop database if exists `" + spec.target() + "`");
            }
            LOG.debug("dropped {}", describe());
        }
    }

    /** A SQLite file under the drill's private directory. */
    private final class SqliteFile extends Scratch {
        private final Path file;

        SqliteFile(Path file) {
            this.file = file;
        }

        @Override void prepare() { }
        @Override String target() { return file.toString(); }
        @Override String describe() { return "scratch SQLite file " + file; }

        @Override
        void check(ArtifactInfo a) throws SQLException {
            checks.add("sqlite3 PRAGMA integrity_check of the restored file is ok");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + file + "?mode=ro")) {
                Object rows = a.manifest().source() == null ? null : a.manifest().source().get("rowCounts");
                if (spec.rowCounts() && rows instanceof Map<?, ?> counts && !counts.isEmpty()) {
                    for (Map.Entry<?, ?> e : counts.entrySet()) {
                        String table = e.getKey().toString();
                        long expected = ((Number) e.getValue()).longValue();
                        long actual;
                        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                                "select count(*) from \"" + table.replace("\"", "\"\"") + "\"")) {
                            rs.next();
                            actual = rs.getLong(1);
                        } catch (SQLException missing) {
                            throw new BackupException("drill", "table " + table + " recorded in the manifest of " + a.key()
                                    + " cannot be counted in the restored database: " + missing.getMessage());
                        }
                        if (actual != expected) {
                            throw new BackupException("drill", "table " + table + " restored from " + a.key() + " has "
                                    + actual + " rows; the manifest recorded " + expected);
                        }
                    }
                    checks.add("row counts of " + counts.size() + " table(s) equal the manifest's");
                }
                runAssertions(c, a);
            }
        }

        @Override
        void drop() throws IOException {
            Files.deleteIfExists(file);
        }
    }

    /** A directory under the drill's private directory, for tar artifacts. */
    private final class Directory extends Scratch {
        private final Path dir;

        Directory(Path dir) {
            this.dir = dir;
        }

        @Override void prepare() { }
        @Override String target() { return dir.toString(); }
        @Override String describe() { return "scratch directory " + dir; }

        @Override
        void check(ArtifactInfo a) throws IOException {
            long files = 0;
            long bytes = 0;
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile()) {
                        files++;
                        bytes += attrs.size();
                    }
                }
            }
            Map<String, Object> src = a.manifest().source() == null ? Map.of() : a.manifest().source();
            Object expFiles = src.get("fileCount");
            Object expBytes = src.get("fileBytes");
            if (expFiles instanceof Number n && n.longValue() != files) {
                throw new BackupException("drill", a.key() + " restored " + files + " files; the manifest recorded "
                        + n.longValue());
            }
            if (expBytes instanceof Number n && n.longValue() != bytes) {
                throw new BackupException("drill", a.key() + " restored " + bytes + " bytes of files; the manifest recorded "
                        + n.longValue());
            }
            checks.add("restored directory holds " + files + " files, " + bytes + " bytes"
                    + (expFiles instanceof Number ? ", as the manifest recorded" : ""));
            for (DrillSpec.Assertion as : List.copyOf(pendingAssertions)) {
                if (a.manifest().label() != null && a.manifest().label().equals(as.label())) {
                    throw new BackupException("drill", "assertion " + as.name() + " names " + a.key()
                            + ", a directory archive; SQL assertions need a database artifact");
                }
            }
        }

        @Override
        void drop() {
            deleteTree(dir);
        }
    }

    /** Runs the assertions meant for this artifact: those naming its label, or, unlabelled, the first database. */
    private void runAssertions(Connection c, ArtifactInfo a) throws SQLException {
        for (DrillSpec.Assertion as : List.copyOf(pendingAssertions)) {
            if (as.label() != null && !as.label().equals(a.manifest().label())) {
                continue;
            }
            String actual;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(as.sql())) {
                actual = !rs.next() ? "(no row)" : rs.getString(1) == null ? "NULL" : rs.getString(1).strip();
            } catch (SQLException e) {
                throw new BackupException("drill", "assertion " + as.name() + " (" + as.sql() + ") on " + a.key()
                        + " failed: " + e.getMessage());
            }
            if (!actual.equals(as.expect())) {
                throw new BackupException("drill", "assertion " + as.name() + " (" + as.sql() + ") on " + a.key()
                        + " returned " + actual + ", expected " + as.expect());
            }
            checks.add("assertion " + as.name() + " (" + as.sql() + ") returned " + actual);
            pendingAssertions.remove(as);
        }
    }

    /** Runs every cleanup, newest first; returns what could not be cleaned, or null. */
    private String cleanUp() {
        List<String> failed = new ArrayList<>();
        while (!cleanups.isEmpty()) {
            Cleanup c = cleanups.pop();
            try {
                c.run();
            } catch (Exception e) {
                String what = c instanceof Scratch s ? s.describe() : "drill directory";
                failed.add("cleanup: " + what + " could not be removed: " + e.getMessage());
                LOG.error("drill of job {}: {} could not be removed: {}", spec.job(), what, e.getMessage());
            }
        }
        return failed.isEmpty() ? null : String.join("; ", failed);
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }
}
