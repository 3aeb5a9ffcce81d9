package io.backroute.dump;

import io.backroute.BackupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteOpenMode;

/**
 * Backs up a SQLite database file as a consistent online-backup copy, checked with PRAGMA integrity_check before it is streamed.
 */
public final class SqliteSource implements Source {

    public static final String KIND = "sqlite";
    public static final String ARTIFACT_KIND = "sqlite";
    public static final String OPTION_PATH = "path";
    public static final String OPTION_LABEL = "label";
    public static final String OPTION_COPY_DIR = "copyDir";

    private static final Set<String> KNOWN = new LinkedHashSet<>(List.of(OPTION_PATH, OPTION_LABEL, OPTION_COPY_DIR));
    private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int INTEGRITY_LINES_IN_ERROR = 10;
    // Online backup retries while a writer holds the lock: 300 x 100 ms is a 30 s wait at most.
    private static final int BACKUP_SLEEP_MS = 100;
    private static final int BACKUP_RETRIES = 300;
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSource.class);

    private final SourceOptions options;

    private SqliteSource(SourceOptions options) {
        this.options = options;
    }

    /** Keeps the options as given; problems are reported by {@link #validate(List)} and {@link #units()}, never here. */
    public static SqliteSource fromOptions(Map<String, String> options) {
        return new SqliteSource(new SourceOptions(KIND, options, KNOWN));
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The options as given (for diagnostics; this source has no secret options). */
    public Map<String, String> options() {
        return options.asMap();
    }

    @Override
    public void validate(List<String> problems) {
        options.reportUnknown(problems);
        String path = options.get(OPTION_PATH);
        if (path == null) {
            problems.add("sqlite source: option 'path' is missing; set it to the SQLite database file to back up");
        } else {
            checkDatabaseFile(Path.of(path), problems);
        }
        String copyDir = options.get(OPTION_COPY_DIR);
        if (copyDir != null) {
            Path dir = Path.of(copyDir);
            if (!Files.isDirectory(dir)) {
                problems.add("sqlite source: option 'copyDir': directory " + dir + " does not exist; create it (on a protected"
                        + " filesystem, the consistent copy is plain data) or remove the option to copy beside the database");
            } else if (!Files.isWritable(dir)) {
                problems.add("sqlite source: option 'copyDir': directory " + dir + " is not writable by this process;"
                        + " grant write permission or choose another directory");
            }
        } else if (path != null) {
            Path parent = Path.of(path).toAbsolutePath().getParent();
            if (parent != null && Files.isDirectory(parent) && !Files.isWritable(parent)) {
                problems.add("sqlite source: option 'path': directory " + parent + " beside the database is not writable, so"
                        + " the consistent copy cannot be made there; grant write permission or set 'copyDir' to a private"
                        + " directory on a protected filesystem");
            }
        }
    }

    private static void checkDatabaseFile(Path file, List<String> problems) {
        if (!Files.exists(file)) {
            problems.add("sqlite source: option 'path': file " + file + " does not exist; point it at an existing SQLite database");
            return;
        }
        if (!Files.isRegularFile(file)) {
            problems.add("sqlite source: option 'path': " + file + " is not a regular file; point it at the SQLite database file");
            return;
        }
        if (!Files.isReadable(file)) {
            problems.add("sqlite source: option 'path': file " + file + " is not readable by this process (user "
                    + System.getProperty("user.name") + "); grant read permission");
            return;
        }
        byte[] head = new byte[HEADER.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            problems.add("sqlite source: option 'path': file " + file + " is not readable (" + describe(e)
                    + "); check permissions and the disk");
            return;
        }
        if (n < HEADER.length || !Arrays.equals(head, HEADER)) {
            problems.add("sqlite source: option 'path': file " + file + " is not a SQLite database (it does not start with the"
                    + " 'SQLite format 3' header" + (n == 0 ? ", it is empty" : "") + "); point it at the database file itself");
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public List<DumpUnit> units() {
        List<String> problems = new ArrayList<>();
        validate(problems);
        if (!problems.isEmpty()) {
            throw new BackupException("dump", String.join("; ", problems));
        }
        Path file = Path.of(options.get(OPTION_PATH)).toAbsolutePath();
        String copyDir = options.get(OPTION_COPY_DIR);
        Path tempParent = copyDir != null ? Path.of(copyDir).toAbsolutePath() : file.getParent();
        return List.of(new Unit(file, tempParent, options.get(OPTION_LABEL)));
    }

    /** One consistent copy of one database file. */
    private static final class Unit implements DumpUnit {

        private final Path file;
        private final Path tempParent;
        private final String label;
        private final Map<String, Object> details = new LinkedHashMap<>();

        Unit(Path file, Path tempParent, String label) {
            this.file = file;
            this.tempParent = tempParent;
            this.label = label;
            details.put("path", file.toString());
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public String artifactKind() {
            return ARTIFACT_KIND;
        }

        @Override
        public String sourceKind() {
            return KIND;
        }

        @Override
        public Map<String, Object> details() {
            return Collections.unmodifiableMap(details);
        }


        @Override
        public void writeTo(OutputStream out) throws IOException {
            long started = System.nanoTime();
            // The copy needs random access, so it cannot be encrypted while made: it goes to a private
            // directory on the same (equally protected) filesystem and is removed whatever happens.
            Path tempDir = Files.createTempDirectory(tempParent, ".backroute-sqlite-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Throwable failure = null;
            try {
                Path copy = Files.createFile(tempDir.resolve(file.getFileName() + ".copy"),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                backup(copy);
                inspect(copy);
                long bytes = stream(copy, out);
                details.put("bytes", bytes);
                LOG.info("sqlite dump of {}: {} bytes, {} tables, integrity ok, {} ms", file, bytes,
                        details.get("tableCount"), (System.nanoTime() - started) / 1_000_000);
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                deleteTree(tempDir, failure);
            }
        }

        private void backup(Path copy) {
            SQLiteConfig config = new SQLiteConfig();
            // Never create an empty database where the source vanished between validation and now.
            config.resetOpenMode(SQLiteOpenMode.CREATE);
            config.setBusyTimeout(30_000);
            try (Connection c = config.createConnection("jdbc:sqlite:" + file)) {
                SQLiteConnection sc = c.unwrap(SQLiteConnection.class);
                // One step (-1) copies every page under one read lock: the copy is a single consistent
                // snapshot even while other connections write, and it never restarts.
                int rc = sc.getDatabase().backup("main", copy.toString(), null, BACKUP_SLEEP_MS, BACKUP_RETRIES, -1);
                if (rc != 0) {
                    throw new BackupException("dump", "sqlite online backup of " + file + " failed with SQLite result code "
                            + rc + " (5 = database busy: a writer held the lock for more than "
                            + BACKUP_SLEEP_MS * BACKUP_RETRIES / 1000 + " s)");
                }
            } catch (SQLException e) {
                throw new BackupException("dump", "sqlite online backup of " + file + " failed: " + e.getMessage(), e);
            }
        }

        private void inspect(Path copy) {
            SQLiteConfig config = new SQLiteConfig();
            config.resetOpenMode(SQLiteOpenMode.CREATE);
            try (Connection c = config.createConnection("jdbc:sqlite:" + copy); Statement st = c.createStatement()) {
                List<String> lines = new ArrayList<>();
                long total = 0;
                try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                    while (rs.next()) {
                        total++;
                        if (lines.size() < INTEGRITY_LINES_IN_ERROR) {
                            lines.add(rs.getString(1));
                        }
                    }
                }
                if (total != 1 || !"ok".equals(lines.get(0))) {
                    throw new BackupException("dump", "sqlite integrity check of the consistent copy of " + file
                            + " failed (" + total + " lines, first lines: " + String.join(" | ", lines)
                            + "); the source database is corrupt, repair it (sqlite3 .recover) before backing up");
                }
                details.put("sqliteVersion", scalar(st, "SELECT sqlite_version()"));
                details.put("pageSize", Long.parseLong(scalar(st, "PRAGMA page_size")));
                details.put("pageCount", Long.parseLong(scalar(st, "PRAGMA page_count")));
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(
                        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                Map<String, Long> rows = new LinkedHashMap<>();
                for (String table : tables) {
                    rows.put(table, Long.parseLong(scalar(st, "SELECT count(*) FROM \"" + table.replace("\"", "\"\"") + "\"")));
                }
                details.put("tableCount", tables.size());
                details.put("rowCounts", Collections.unmodifiableMap(rows));
            } catch (SQLException e) {
                throw new BackupException("dump", "sqlite integrity check of the consistent copy of " + file + " failed: "
                        + e.getMessage() + "; the source database is probably corrupt", e);
            }
        }

        private static String scalar(Statement st, String sql) throws SQLException {
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }

        private long stream(Path copy, OutputStream out) throws IOException {
            long expected = Files.size(copy);
            long bytes = 0;
            byte[] buffer = new byte[BUFFER_SIZE];
            try (InputStream in = Files.newInputStream(copy)) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    out.write(buffer, 0, n);
                    bytes += n;
                }
            }
            if (bytes != expected) {
                throw new BackupException("dump", "consistent copy of " + file + " changed while being streamed (" + expected
                        + " bytes expected, " + bytes + " read)");
            }
            return bytes;
        }

        private void deleteTree(Path dir, Throwable failure) {
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(f);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.deleteIfExists(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (NoSuchFileException gone) {
                // already removed
            } catch (IOException e) {
                // A plain copy left behind is a leak of backup data: never let it pass quietly.
                BackupException leak = new BackupException("dump", "could not delete the temporary copy of " + file + " in "
                        + dir + ": " + e.getMessage() + "; delete it by hand", e);
                LOG.error(leak.getMessage());
                if (failure != null) {
                    failure.addSuppressed(leak);
                } else {
                    throw leak;
                }
            }
        }
    }
}
