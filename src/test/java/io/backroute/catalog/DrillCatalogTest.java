package io.backroute.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the drills table: a version-1 catalog migrates keeping its runs, drills round-trip newest first, and lastGoodDrilledRun picks the newest good run with a passed drill. */
class DrillCatalogTest {

    @TempDir
    Path tmp;

    static final Instant T0 = Instant.parse("2026-11-20T01:00:00Z");

    static RunRecord run(String id, RunStatus status, Instant start) {
        return new RunRecord(id, "orders", "schedule", status, start, start.plusSeconds(60), 10, 5, List.of(), null);
    }

    static DrillRecord drill(String id, String runId, DrillRecord.Status status, Instant start) {
        return new DrillRecord(id, "orders", runId, "local", List.of("orders/a.pgdump.zst.gpg"), status, start,
                start.plusSeconds(30), 1234, 99, List.of("restored", "row counts"), status == DrillRecord.Status.FAILED ? "boom" : null);
    }

    @Test
    void versionOneCatalogMigratesToTheDrillsTableKeepingItsRuns() throws Exception {
        Path db = tmp.resolve("v1.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE runs (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, trigger_name TEXT, status TEXT NOT NULL,
                        start_nanos INTEGER NOT NULL, start_iso TEXT NOT NULL, end_iso TEXT, plain_bytes INTEGER NOT NULL,
                        stored_bytes INTEGER NOT NULL, destinations TEXT NOT NULL, error TEXT)""");
            st.execute("INSERT INTO runs VALUES ('orders-20261120T010000Z-abcd', 'orders', 'schedule', 'SUCCESS', 1, "
                    + "'2026-11-20T01:00:00Z', '2026-11-20T01:01:00Z', 10, 5, '[]', NULL)");
            st.execute("PRAGMA user_version = 1");
        }
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(db)) {
            assertThat(catalog.find("orders-20261120T010000Z-abcd")).isPresent();
            catalog.saveDrill(drill("orders-drill-1", "orders-20261120T010000Z-abcd", DrillRecord.Status.SUCCESS, T0.plusSeconds(3600)));
            assertThat(catalog.lastGoodDrilledRun("orders")).contains(T0);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            assertThat(rs.getInt(1)).isEqualTo(SqliteRunCatalog.schemaVersion()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void drillsRoundTripNewestFirst() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(tmp.resolve("c.db"))) {
            assertThat(catalog.lastDrill("orders")).isEmpty();
            DrillRecord older = drill("orders-drill-1", "r1", DrillRecord.Status.SUCCESS, T0);
            DrillRecord newer = drill("orders-drill-2", null, DrillRecord.Status.FAILED, T0.plusSeconds(10));
            catalog.saveDrill(newer);
            catalog.saveDrill(older);
            assertThat(catalog.drills("orders", 10)).containsExactly(newer, older);
            assertThat(catalog.lastDrill("orders")).contains(newer);
            assertThat(catalog.lastDrill("other")).isEmpty();
        }
    }

    @Test
    void lastGoodDrilledRunIsTheNewestGoodRunWithAPassedDrill() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(tmp.resolve("c.db"))) {
            catalog.save(run("a", RunStatus.SUCCESS, T0));
            catalog.save(run("b", RunStatus.PARTIAL, T0.plusSeconds(3600)));
            catalog.save(run("c", RunStatus.SUCCESS, T0.plusSeconds(7200)));
            catalog.save(run("d", RunStatus.FAILED, T0.plusSeconds(9000)));
            assertThat(catalog.lastGoodDrilledRun("orders")).as("no drill yet").isEmpty();

            catalog.saveDrill(drill("x1", "a", DrillRecord.Status.SUCCESS, T0.plusSeconds(100)));
            catalog.saveDrill(drill("x2", "c", DrillRecord.Status.FAILED, T0.plusSeconds(7300)));
            catalog.saveDrill(drill("x3", "d", DrillRecord.Status.SUCCESS, T0.plusSeconds(9100)));
            assertThat(catalog.lastGoodDrilledRun("orders")).as("c failed its drill, d is not a good run").contains(T0);

            catalog.saveDrill(drill("x4", "b", DrillRecord.Status.SUCCESS, T0.plusSeconds(3700)));
            assertThat(catalog.lastGoodDrilledRun("orders")).as("a PARTIAL run counts").contains(T0.plusSeconds(3600));

            catalog.saveDrill(drill("x5", "c", DrillRecord.Status.SUCCESS, T0.plusSeconds(7400)));
            catalog.saveDrill(drill("x6", "c", DrillRecord.Status.FAILED, T0.plusSeconds(7500)));
            assertThat(catalog.lastGoodDrilledRun("orders")).as("a later failed drill does not undo a passed one")
                    .contains(T0.plusSeconds(7200));
            assertThat(catalog.lastGoodDrilledRun("other")).isEmpty();
        }
    }
}
