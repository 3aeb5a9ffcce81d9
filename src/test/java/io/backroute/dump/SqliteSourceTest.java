package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.backroute.BackupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the SQLite source streams a consistent, integrity-checked copy (verified with the sqlite3 CLI) and reports bad configuration clearly. */
class SqliteSourceTest {

    @TempDir
    Path tmp;

    private Path createDatabase(Path file, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
            st.executeUpdate("CREATE TABLE \"odd \"\"name\"\"\" (x INTEGER)");
            st.executeUpdate("CREATE INDEX items_body ON items(body)");
            insertItems(c, rows);
        }
        return file;
    }

    private static void insertItems(Connection c, int rows) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (body) VALUES (?)")) {
            for (int i = 0; i < rows; i++) {
                ps.setString(1, "row " + i + " " + "x".repeat(i % 200));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(auto);
    }

    private static SqliteSource source(Map<String, String> options) {
        return SqliteSource.fromOptions(options);
    }

    private static List<String> problems(Source source) {
        List<String> problems = new ArrayList<>();
        source.validate(problems);
        return problems;
    }

    private String sqlite3(Path db, String sql) throws Exception {
        return Tools.run(tmp, "sqlite3", db.toString(), sql);
    }

    @Test
    void backsUpConsistentCopyWhileAnotherConnectionKeepsWriting() throws Exception {
        Path db = createDatabase(tmp.resolve("live.db"), 1_000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> writing = writer.submit(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 20000");
                // Durability is not under test; without fsync per commit the writer is fast enough to overlap the backup.
                st.execute("PRAGMA synchronous = OFF");
                for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    st.executeUpdate("INSERT INTO items (body) VALUES ('concurrent " + i + "')");
                    written.incrementAndGet();
                }
            }
            return null;
        });
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> written.get() >= 50);
            DumpUnit unit = source(Map.of("path", db.toString())).units().get(0);
            Path out = Tools.writeUnit(unit, tmp.resolve("out.sqlite"));
            stop.set(true);
            writing.get();

            assertThat(sqlite3(out, "PRAGMA integrity_check")).isEqualTo("ok");
            long items = Long.parseLong(sqlite3(out, "SELECT count(*) FROM items"));
            assertThat(items).isBetween(1_050L, 1_000L + written.get());
            @SuppressWarnings("unchecked")
            Map<String, Long> rowCounts = (Map<String, Long>) unit.details().get("rowCounts");
            assertThat(rowCounts).containsEntry("items", items).containsEntry("odd \"name\"", 0L);
            assertThat(unit.details()).containsEntry("tableCount", 2)
                    .containsEntry("bytes", Files.size(out))
                    .containsEntry("pageCount", Long.parseLong(sqlite3(out, "PRAGMA page_count")))
                    .containsEntry("pageSize", Long.parseLong(sqlite3(out, "PRAGMA page_size")))
                    .containsKey("sqliteVersion");
            assertThat(unit.sourceKind()).isEqualTo("sqlite");
            assertThat(unit.artifactKind()).isEqualTo("sqlite");
        } finally {
            stop.set(true);
            writer.shutdown();
        }
    }

    @Test
    void copiesCommittedContentStillInTheWalFileOfAWalModeDatabase() throws Exception {
        Path db = tmp.resolve("wal.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            assertThat(st.executeQuery("PRAGMA journal_mode = WAL").getString(1)).isEqualTo("wal");
            st.execute("PRAGMA wal_autocheckpoint = 0");
            st.executeUpdate("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
            insertItems(c, 3_000);
            // The connection stays open, so the committed rows live only in the -wal file.
            Path wal = tmp.resolve("wal.db-wal");
            assertThat(wal).exists();
            assertThat(Files.size(wal)).isGreaterThan(Files.size(db));

            DumpUnit unit = source(Map.of("path", db.toString(), "label", "wal-db")).units().get(0);
            Path out = Tools.writeUnit(unit, tmp.resolve("out.sqlite"));

            assertThat(sqlite3(out, "PRAGMA integrity_check")).isEqualTo("ok");
            assertThat(sqlite3(out, "SELECT count(*) FROM items")).isEqualTo("3000");
            assertThat(unit.label()).isEqualTo("wal-db");
        }
    }

    @Test
    void removesTheTemporaryCopyBesideTheSourceAfterSuccess() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Path db = createDatabase(dir.resolve("app.db"), 100);
        Tools.writeUnit(source(Map.of("path", db.toString())).units().get(0), tmp.resolve("out.sqlite"));
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactly(db);
        }
    }

    @Test
    void makesTheCopyInAPrivateDirectoryWithOwnerOnlyModes() throws Exception {
        Path db = createDatabase(tmp.resolve("app.db"), 100);
        Path copyDir = Files.createDirectory(tmp.resolve("copies"));
        List<String> seen = new ArrayList<>();
        DumpUnit unit = source(Map.of("path", db.toString(), "copyDir", copyDir.toString())).units().get(0);
        // Observe the copy while it exists: the first bytes reach the stream only once the copy is complete.
        try (var out = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (seen.isEmpty()) {
                    try (Stream<Path> dirs = Files.list(copyDir)) {
                        for (Path d : dirs.toList()) {
                            seen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
                            try (Stream<Path> files = Files.list(d)) {
                                for (Path f : files.toList()) {
                                    seen.add(f.getFileName() + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
                                }
                            }
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }) {
            unit.writeTo(out);
        }
        assertThat(seen).containsExactly("rwx------", "app.db.copy rw-------");
        try (Stream<Path> left = Files.list(copyDir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void failsWithTheIntegrityCheckOutputForACorruptDatabaseAndLeavesNoCopy() throws Exception {
        Path db = createDatabase(tmp.resolve("corrupt.db"), 3_000);
        long pageSize = Long.parseLong(sqlite3(db, "PRAGMA page_size"));
        try (RandomAccessFile raf = new RandomAccessFile(db.toFile(), "rw")) {
            byte[] garbage = new byte[(int) pageSize * 3];
            Arrays.fill(garbage, (byte) 0x5A);
            raf.seek(pageSize * 4);
            raf.write(garbage);
        }
        assertThat(Tools.runAllowingFailure(tmp, "sqlite3", db.toString(), "PRAGMA integrity_check").output())
                .as("oracle agrees the file is corrupt").isNotEqualTo("ok");
        Path copyDir = Files.createDirectory(tmp.resolve("copies"));
        DumpUnit unit = source(Map.of("path", db.toString(), "copyDir", copyDir.toString())).units().get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> unit.writeTo(out))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.stage()).isEqualTo("dump"))
                .hasMessageContaining("integrity check of the consistent copy of " + db)
                .hasMessageContaining("corrupt");
        assertThat(out.size()).as("nothing of a corrupt copy is streamed").isZero();
        try (Stream<Path> left = Files.list(copyDir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void reportsAFileThatIsNotASqliteDatabase() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "just some text, definitely longer than sixteen bytes\n");
        SqliteSource source = source(Map.of("path", text.toString()));

        assertThat(problems(source)).singleElement().asString()
                .contains("option 'path'", text.toString(), "is not a SQLite database");
        assertThatThrownBy(source::units).isInstanceOfSatisfying(BackupException.class,
                e -> assertThat(e.stage()).isEqualTo("dump")).hasMessageContaining("is not a SQLite database");
    }

    @Test
    void reportsAnEmptyFileAsNotASqliteDatabase() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.db"));
        assertThat(problems(source(Map.of("path", empty.toString())))).singleElement().asString()
                .contains("is not a SQLite database", "it is empty");
    }

    @Test
    void reportsAMissingFile() {
        Path missing = tmp.resolve("nope.db");
        SqliteSource source = source(Map.of("path", missing.toString()));

        assertThat(problems(source)).singleElement().asString()
                .contains("option 'path'", missing.toString(), "does not exist");
        assertThatThrownBy(source::units).isInstanceOf(BackupException.class).hasMessageContaining("does not exist");
    }

    @Test
    void reportsAFileWithoutReadPermission() throws Exception {
        assumeThat(Tools.isRoot()).as("root reads files whatever their mode").isFalse();
        Path db = createDatabase(tmp.resolve("locked.db"), 10);
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("---------"));

        assertThat(problems(source(Map.of("path", db.toString())))).singleElement().asString()
                .contains("option 'path'", db.toString(), "is not readable");
    }

    @Test
    void reportsAFileWhoseReadFailsAsNotReadable() {
        // Reading /proc/self/mem at offset 0 fails with EIO for every user, root included.
        assertThat(problems(source(Map.of("path", "/proc/self/mem", "copyDir", tmp.toString())))).singleElement().asString()
                .contains("option 'path'", "/proc/self/mem", "is not readable");
    }

    @Test
    void reportsMissingPathUnknownOptionsAndMissingCopyDirTogether() {
        SqliteSource source = source(Map.of("pth", "/data/app.db", "copyDir", tmp.resolve("absent").toString()));

        assertThat(problems(source)).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).contains("unknown option 'pth'", "path, label, copyDir"),
                p -> assertThat(p).contains("option 'path' is missing"),
                p -> assertThat(p).contains("option 'copyDir'", "does not exist"));
        assertThat(source.kind()).isEqualTo("sqlite");
    }

    @Test
    void fromOptionsAcceptsAnythingAndNeverThrows() {
        SqliteSource source = SqliteSource.fromOptions(null);
        assertThat(problems(source)).singleElement().asString().contains("option 'path' is missing");
    }

}
