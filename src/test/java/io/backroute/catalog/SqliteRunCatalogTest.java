package io.backroute.catalog;

import io.backroute.BackupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves the SQLite run catalog keeps run records durably across restarts, upserts, orders and counts them, and is thread safe. */
class SqliteRunCatalogTest {

    private static final Instant T0 = Instant.parse("2025-03-01T02:00:00Z");

    @TempDir
    Path dir;

    private static RunRecord run(String job, int hoursAfterT0, RunStatus status) {
        Instant start = T0.plus(Duration.ofHours(hoursAfterT0));
        String runId = job + "-" + hoursAfterT0;
        Instant end = status == RunStatus.RUNNING ? null : start.plusSeconds(42);
        List<DestinationResult> results = status == RunStatus.RUNNING ? List.of() : List.of(
                new DestinationResult("nas", true, 1234, 500, List.of(job + "/" + runId + ".sql.zst.gpg"), null),
                new DestinationResult("s3-primary", status == RunStatus.SUCCESS, 1234, 900, List.of(),
                        status == RunStatus.SUCCESS ? null : "upload to s3-primary failed: 403 Forbidden"));
        return new RunRecord(runId, job, "schedule", status, start, end, 10_000, 1234, results,
                status.good() && status != RunStatus.PARTIAL ? null : status == RunStatus.RUNNING ? null : "dump: exit 1");
    }

    @Test
    void savedRecordsSurviveCloseAndReopenLikeAProcessRestart() {
        Path db = dir.resolve("data/nested/catalog.db");
        RunRecord first = run("orders-db", 0, RunStatus.SUCCESS);
        RunRecord second = run("orders-db", 1, RunStatus.PARTIAL);
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(db)) {
            catalog.save(first);
            catalog.save(second);
        }
        assertThat(db).exists();
        try (SqliteRunCatalog reopened = new SqliteRunCatalog(db)) {
            assertThat(reopened.find(first.runId())).contains(first);
            assertThat(reopened.find(second.runId())).contains(second);
            assertThat(reopened.history("orders-db", 10)).containsExactly(second, first);
        }
    }

    @Test
    void databaseUsesWalJournalAndRecordsTheSchemaVersion() throws Exception {
        Path db = dir.resolve("catalog.db");
        new SqliteRunCatalog(db).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(SqliteRunCatalog.schemaVersion()).isPositive();
            }
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'runs_job_start'")) {
                assertThat(rs.next()).as("index on (job, start)").isTrue();
            }
        }
    }

    @Test
    void refusesADatabaseWrittenByANewerSchemaVersion() throws Exception {
        Path db = dir.resolve("future.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> new SqliteRunCatalog(db))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining(db.toAbsolutePath().toString())
                .hasMessageContaining("schema version 99");
    }

    @Test
    void saveIsAnUpsertByRunId() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(dir.resolve("c.db"))) {
            RunRecord running = run("orders-db", 0, RunStatus.RUNNING);
            catalog.save(running);
            RunRecord done = running.finish(RunStatus.SUCCESS, running.start().plusSeconds(60), 99, 33,
                    List.of(new DestinationResult("nas", true, 33, 10, List.of("orders-db/x.sql.zst.gpg"), null)), null);
            catalog.save(done);

            assertThat(catalog.history("orders-db", 10)).containsExactly(done);
            assertThat(catalog.find(running.runId())).contains(done);
        }
    }

    @Test
    void historyIsNewestFirstAndLimitedAndPerJob() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(dir.resolve("c.db"))) {
            // saved out of order so the order must come from the start time, not insertion
            for (int h : new int[] {3, 0, 4, 1, 2}) {
                catalog.save(run("orders-db", h, RunStatus.SUCCESS));
            }
            catalog.save(run("wiki", 10, RunStatus.SUCCESS));

            assertThat(catalog.history("orders-db", 3)).extracting(RunRecord::runId)
                    .containsExactly("orders-db-4", "orders-db-3", "orders-db-2");
            assertThat(catalog.history("orders-db", 100)).hasSize(5);
            assertThat(catalog.lastRun("orders-db")).map(RunRecord::runId).contains("orders-db-4");
            assertThat(catalog.history("nobody", 5)).isEmpty();
            assertThat(catalog.lastRun("nobody")).isEmpty();
            assertThat(catalog.jobs()).containsExactly("orders-db", "wiki");
        }
    }

    @Test
    void lastGoodIgnoresFailedAndSkippedButAcceptsPartial() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(dir.resolve("c.db"))) {
            catalog.save(run("orders-db", 0, RunStatus.SUCCESS));
            catalog.save(run("orders-db", 1, RunStatus.PARTIAL));
            catalog.save(run("orders-db", 2, RunStatus.FAILED));
            catalog.save(run("orders-db", 3, RunStatus.SKIPPED));

            assertThat(catalog.lastGood("orders-db")).map(RunRecord::runId).contains("orders-db-1");
            assertThat(catalog.lastWithStatus("orders-db", RunStatus.SUCCESS)).map(RunRecord::runId).contains("orders-db-0");
            assertThat(catalog.lastWithStatus("orders-db", RunStatus.FAILED)).map(RunRecord::runId).contains("orders-db-2");
            assertThat(catalog.lastWithStatus("orders-db", RunStatus.RUNNING)).isEmpty();
            assertThat(catalog.lastRun("orders-db")).map(RunRecord::status).contains(RunStatus.SKIPPED);
        }
    }

    @Test
    void markInterruptedTurnsRunningRunsIntoFailedAfterARestart() {
        Path db = dir.resolve("c.db");
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(db)) {
            catalog.save(run("orders-db", 0, RunStatus.SUCCESS));
            catalog.save(run("orders-db", 1, RunStatus.RUNNING));
            catalog.save(run("wiki", 1, RunStatus.RUNNING));
        }
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(db)) {
            int n = catalog.markInterrupted("interrupted: the process stopped before the run finished");

            assertThat(n).isEqualTo(2);
            assertThat(catalog.find("orders-db-1")).hasValueSatisfying(r -> {
                assertThat(r.status()).isEqualTo(RunStatus.FAILED);
                assertThat(r.error()).isEqualTo("interrupted: the process stopped before the run finished");
            });
            assertThat(catalog.find("orders-db-0")).map(RunRecord::status).contains(RunStatus.SUCCESS);
            assertThat(catalog.markInterrupted("again")).isZero();
        }
    }

    @Test
    void runsBetweenIsHalfOpenAndCountByStatusCountsSince() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(dir.resolve("c.db"))) {
            RunStatus[] statuses = {RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.SUCCESS, RunStatus.PARTIAL,
                    RunStatus.SKIPPED, RunStatus.SUCCESS};
            for (int h = 0; h < statuses.length; h++) {
                catalog.save(run("orders-db", h, statuses[h]));
            }
            catalog.save(run("wiki", 2, RunStatus.FAILED));

            assertThat(catalog.runsBetween("orders-db", T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(4))))
                    .extracting(RunRecord::runId).containsExactly("orders-db-3", "orders-db-2", "orders-db-1");
            assertThat(catalog.runsBetween("orders-db", Instant.MIN, Instant.MAX)).hasSize(6);

            Map<RunStatus, Long> counts = catalog.countByStatus("orders-db", T0.plus(Duration.ofHours(1)));
            assertThat(counts).containsEntry(RunStatus.SUCCESS, 2L).containsEntry(RunStatus.FAILED, 1L)
                    .containsEntry(RunStatus.PARTIAL, 1L).containsEntry(RunStatus.SKIPPED, 1L)
                    .containsEntry(RunStatus.RUNNING, 0L);
        }
    }

    @Test
    void instantsKeepTheirNanosecondsAndNullEndSurvives() {
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(dir.resolve("c.db"))) {
            RunRecord r = new RunRecord("orders-db-n", "orders-db", "run-now", RunStatus.RUNNING,
                    Instant.parse("2025-03-01T02:00:00.123456789Z"), null, 0, 0, List.of(), null);
            catalog.save(r);
            assertThat(catalog.find("orders-db-n")).contains(r);
        }
    }

    @Test
    void concurrentSavesFromSeveralThreadsAllLand() throws Exception {
        int threads = 8;
        int perThread = 50;
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(dir.resolve("c.db"))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String job = "job-" + t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            catalog.save(run(job, i, RunStatus.SUCCESS));
                            // reads interleaved with writes must not see torn state or fail
                            assertThat(catalog.lastRun(job)).isPresent();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(catalog.jobs()).hasSize(threads);
            for (int t = 0; t < threads; t++) {
                assertThat(catalog.history("job-" + t, 1000)).hasSize(perThread);
            }
        }
    }

    @Test
    void closedCatalogFailsLoudlyNamingTheFile() {
        Path db = dir.resolve("c.db");
        SqliteRunCatalog catalog = new SqliteRunCatalog(db);
        catalog.close();
        assertThatThrownBy(() -> catalog.history("orders-db", 1))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("closed").hasMessageContaining(db.toAbsolutePath().toString());
    }

    @Test
    void unopenableFileGivesAnErrorNamingIt() throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        Path db = notADir.resolve("catalog.db");
        assertThatThrownBy(() -> new SqliteRunCatalog(db))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining(db.toAbsolutePath().toString());
    }
}
