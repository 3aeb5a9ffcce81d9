package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.catalog.SqliteRunCatalog;
import io.backroute.testsupport.Ports;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves SIGTERM mid-run: the service waits up to its shutdown timeout, then records the run FAILED ("interrupted by shutdown"), kills pg_dump, cleans staging and exits, with nothing visible at the destination. */
class GracefulStopIT {

    @TempDir
    Path tmp;

    @Test
    void sigtermDuringAHungDumpEndsTheRunFailedAndLeavesNothingBehind() throws Exception {
        TestServers.assumePostgres();
        String db = TestServers.uniqueName("br_stop");
        try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        Process service = null;
        try (Connection locker = TestServers.pg(db)) {
            try (Statement st = locker.createStatement()) {
                st.execute("CREATE TABLE t(id int)");
            }
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"); // pg_dump waits for this lock
            }
            int port = Ports.free();
            Workspace ws = new Workspace(tmp, "file:src/test/resources/routes/shutdown/*.camel.yaml")
                    .set("jobs.pgslow.cron", "* * * * * ?").set("jobs.pgslow.host", TestServers.PG_HOST)
                    .set("jobs.pgslow.port", String.valueOf(TestServers.PG_PORT)).set("jobs.pgslow.database", db)
                    .set("jobs.pgslow.user", TestServers.PG_USER).set("jobs.pgslow.password", TestServers.PG_PASSWORD)
                    .set("jobs.pgslow.retention.keep-last", "3").set("jobs.demo.cron", "0 0 3 1 1 ? 2099")
                    .set("camel.main.shutdown-timeout", "3")
                    .set("camel.server.port", String.valueOf(port)).set("camel.management.port", String.valueOf(port));
            Path config = ws.writeConfig();
            Path log = tmp.resolve("service.log");
            service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.backroute.Backroute", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Process running = service;
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> running.descendants()
                    .anyMatch(h -> h.info().command().map(cmd -> cmd.endsWith("/pg_dump")).orElse(false)));
            List<ProcessHandle> dumps = running.descendants().toList();

            service.destroy(); // SIGTERM
            assertThat(service.waitFor(90, TimeUnit.SECONDS)).as("service exits after SIGTERM; log:%n%s", Files.readString(log)).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dumps.stream().noneMatch(ProcessHandle::isAlive));

            try (SqliteRunCatalog catalog = new SqliteRunCatalog(ws.data.resolve("catalog.db"))) {
                List<RunRecord> runs = catalog.history("pgslow", 10);
                assertThat(runs).isNotEmpty();
                assertThat(runs).noneMatch(r -> r.status() == RunStatus.RUNNING || r.status() == RunStatus.SUCCESS);
                assertThat(runs).filteredOn(r -> r.status() == RunStatus.FAILED)
                        .anySatisfy(r -> assertThat(r.error()).contains("interrupted by shutdown"));
            }
            assertThat(ws.backups.resolve("pgslow")).doesNotExist();
            if (Files.exists(ws.stagingDir())) {
                try (Stream<Path> s = Files.walk(ws.stagingDir())) {
                    assertThat(s.filter(Files::isRegularFile)).isEmpty();
                }
            }
            locker.rollback();
        } finally {
            if (service != null && service.isAlive()) {
                service.destroyForcibly();
            }
            try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }
}
