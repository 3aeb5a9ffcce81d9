package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves DemoData creates a valid demo database and tree (checked with sqlite3) and leaves existing ones untouched. */
class DemoDataTest {

    @TempDir
    Path tmp;

    private String sqlite3(Path db, String sql) throws Exception {
        return Tools.run(tmp, "sqlite3", db.toString(), sql);
    }

    private static Map<String, String> fingerprint(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = root.relativize(p).toString();
                out.put(rel, Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p) ? "dir" : Tools.sha256(p) + " " + Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    @Test
    void createsAValidDatabaseWithTheDocumentedTablesIndexAndView() throws Exception {
        Path db = tmp.resolve("demo/demo.sqlite");
        Path dir = tmp.resolve("demo/files");
        DemoData.ensure(db, dir);

        assertThat(sqlite3(db, "PRAGMA integrity_check")).isEqualTo("ok");
        assertThat(sqlite3(db, "PRAGMA foreign_key_check")).isEmpty();
        assertThat(sqlite3(db, "SELECT count(*) FROM customers")).isEqualTo("2000");
        assertThat(sqlite3(db, "SELECT count(*) FROM orders")).isEqualTo("10000");
        assertThat(sqlite3(db, "SELECT name FROM products WHERE id = 1")).isEqualTo("Crème brûlée torch");
        assertThat(sqlite3(db, "SELECT type || ':' || name FROM sqlite_schema WHERE type IN ('index', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY 1"))
                .isEqualTo("index:orders_customer\nview:customer_totals");
        assertThat(sqlite3(db, "SELECT sum(orders) FROM customer_totals")).isEqualTo("10000");
        try (Stream<Path> siblings = Files.list(db.getParent())) {
            assertThat(siblings).as("no temporary files left beside the targets").containsExactlyInAnyOrder(db, dir);
        }
    }

    @Test
    void createsADirectoryTreeWithNestedTextBinaryAndARelativeSymlink() throws Exception {
        Path dir = tmp.resolve("files");
        DemoData.ensure(tmp.resolve("demo.sqlite"), dir);

        assertThat(dir.resolve("logs/app.log")).content().hasLineCount(2_000);
        assertThat(dir.resolve("reports/2024/q2/summary.csv")).isRegularFile();
        assertThat(Files.size(dir.resolve("data/random.bin"))).isEqualTo(65_536);
        assertThat(Files.readSymbolicLink(dir.resolve("latest.log"))).isEqualTo(Path.of("logs/app.log"));
        assertThat(dir.resolve("latest.log")).hasSameTextualContentAs(dir.resolve("logs/app.log"));
    }

    @Test
    void leavesExistingDemoDataUntouchedAndCreatesOnlyWhatIsMissing() throws Exception {
        Path db = tmp.resolve("demo.sqlite");
        Path dir = tmp.resolve("files");
        DemoData.ensure(db, dir);
        String dbHash = Tools.sha256(db);
        Map<String, String> tree = fingerprint(dir);

        DemoData.ensure(db, dir);
        assertThat(Tools.sha256(db)).isEqualTo(dbHash);
        assertThat(fingerprint(dir)).isEqualTo(tree);

        Files.delete(db);
        DemoData.ensure(db, dir);
        assertThat(sqlite3(db, "PRAGMA integrity_check")).isEqualTo("ok");
        assertThat(fingerprint(dir)).isEqualTo(tree);
    }
}
