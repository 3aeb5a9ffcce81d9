package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.ChildProcesses;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.MariaDbTestServer;
import io.backroute.testsupport.PostgresTestServer;
import io.backroute.testsupport.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves a database server that stops while pg_dump / mariadb-dump is streaming fails the job run: FAILED with the
 * client's exit code and stderr, no password in the record, logs or alert, nothing at the destination, staging empty,
 * no dump process left. Each test runs its own private server, so the shared ones keep serving other tests.
 */
class ServerStoppedMidDumpIT {

    /** Rows of 256 characters: a ~25 MB dump, far more than the ~4 MB that pipes and socket buffers can hold. */
    private static final int ROWS = 100_000;
    /** The server stops once the client has written this much of the dump. */
    private static final long STOP_AFTER_BYTES = 1 << 20;

    @TempDir
    Path tmp;

    private final Instant started = Instant.now().minusSeconds(1);

    @Test
    void postgresqlStoppedMidDumpFailsTheRunWithPgDumpsErrorAndLeavesNothingBehind() throws Exception {
        try (PostgresTestServer pg = new PostgresTestServer()) {
            String db = "orders_fault";
            try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + db);
            }
            try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders(id int PRIMARY KEY, note text)");
                st.execute("INSERT INTO orders SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, " + ROWS + ") g");
            }

            Outcome out = runStoppingTheServerMidDump("pgjob", pg.options(db), "pg_dump", pg::stopImmediately);

            assertThat(pg.isRunning()).isFalse();
            assertThat(out.run.status()).as(out.run.error()).isEqualTo(RunStatus.FAILED);
            assertThat(out.run.error())
                    .startsWith("dump: pg_dump of database \"" + db + "\" failed with exit code 1: ")
                    .contains("Dumping the contents of table \"orders\" failed")
                    .contains("server closed the connection unexpectedly");
            assertFailedCleanly(out, "pgjob", "pg_dump", PostgresTestServer.PASSWORD, "backroute-pg-");
        }
    }

    @Test
    void mariadbKilledMidDumpFailsTheRunWithMariadbDumpsErrorAndLeavesNothingBehind() throws Exception {
        try (MariaDbTestServer my = new MariaDbTestServer()) {
            String db = "orders_fault";
            try (Connection c = my.connect(null); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + db);
            }
            try (Connection c = my.connect(db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders(id int PRIMARY KEY, note text)");
                st.execute("INSERT INTO orders SELECT seq, repeat(md5(seq), 8) FROM seq_1_to_" + ROWS);
            }

            Outcome out = runStoppingTheServerMidDump("mariadbjob", my.options(db), "mariadb-dump", my::kill);

            assertThat(my.isRunning()).isFalse();
            assertThat(out.run.status()).as(out.run.error()).isEqualTo(RunStatus.FAILED);
            assertThat(out.run.error())
                    .startsWith("dump: mariadb-dump of database \"" + db + "\" failed with exit code ")
                    .contains("Lost connection to server during query when dumping table `orders`");
            assertFailedCleanly(out, "mariadbjob", "mariadb-dump", MariaDbTestServer.PASSWORD, "backroute-mariadb-");
        }
    }

    private record Outcome(RunRecord run, Workspace ws, List<String> logs, String alert) { }

    @FunctionalInterface
    private interface Stop {
        void stop() throws Exception;
    }

    /**
     * Runs the job and stops the server once the dump client has written {@link #STOP_AFTER_BYTES}. The client is
     * frozen (SIGSTOP) while the server goes down, so the stop lands mid-stream however fast or loaded the machine
     * is; it then resumes into a dead connection, as a client does when the server dies under it.
     */
    private Outcome runStoppingTheServerMidDump(String job, Map<String, String> source, String tool, Stop stop) throws Exception {
        Path alerts = Files.createDirectories(tmp.resolve("alerts"));
        Workspace ws = new Workspace(tmp.resolve("ws"), "file:src/test/resources/routes/" + job + ".camel.yaml");
        source.forEach((k, v) -> ws.set("jobs." + job + "." + k, v));
        ws.set("backroute.alert.endpoints", "file:" + alerts);
        try (LogCapture logs = new LogCapture(Level.DEBUG); BackrouteService s = ws.service()) {
            s.start();
            CompletableFuture<RunRecord> running = CompletableFuture.supplyAsync(() -> s.runtime().runNow(job, "test"));
            ProcessHandle[] dump = new ProcessHandle[1];
            Awaitility.await(tool + " streaming " + STOP_AFTER_BYTES + " bytes").atMost(Duration.ofSeconds(20))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).until(() -> {
                        if (running.isDone()) {
                            fail("the run ended before " + tool + " streamed " + STOP_AFTER_BYTES + " bytes: " + running.get().error());
                        }
                        Optional<ProcessHandle> h = ChildProcesses.written(tool, STOP_AFTER_BYTES);
                        h.ifPresent(p -> dump[0] = p);
                        return h.isPresent();
                    });
            ChildProcesses.suspend(dump[0]);
            try {
                stop.stop();
            } finally {
                ChildProcesses.resume(dump[0]);
            }
            RunRecord run = running.get(60, TimeUnit.SECONDS);
            String alert = Awaitility.await("alert of run " + run.runId()).atMost(Duration.ofSeconds(20))
                    .until(() -> alertText(alerts, run.runId()), Optional::isPresent).get();
            List<String> lines = logs.events.stream().map(ServerStoppedMidDumpIT::text).toList();
            return new Outcome(run, ws, lines, alert);
        }
    }

    private void assertFailedCleanly(Outcome out, String job, String tool, String password, String credentialDirPrefix) throws IOException {
        assertThat(out.run.error()).doesNotContain(password);
        assertThat(out.logs).anyMatch(l -> l.contains("run " + out.run.runId() + " FAILED"))
                .noneMatch(l -> l.contains(password));
        assertThat(out.alert).contains(job).contains(out.run.runId()).contains("FAILED").contains("failed with exit code")
                .doesNotContain(password);
        assertThat(filesUnder(out.ws.backups)).as("nothing at the destination").isEmpty();
        try (Stream<Path> s = Files.list(out.ws.stagingDir())) {
            assertThat(s).as("staging").isEmpty();
        }
        assertThat(ChildProcesses.named(tool)).as("%s processes left", tool).isEmpty();
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(credentialDirPrefix)).filter(this::createdByThisTest))
                    .as("password files left").isEmpty();
        }
    }

    private boolean createdByThisTest(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isAfter(started);
        } catch (IOException e) {
            return false;
        }
    }

    /** The one alert the file channel wrote, once it is complete enough to name the run. */
    private static Optional<String> alertText(Path dir, String runId) throws IOException {
        List<Path> files = filesUnder(dir);
        if (files.size() != 1) {
            return Optional.empty();
        }
        String text = Files.readString(files.get(0));
        return text.contains(runId) ? Optional.of(text) : Optional.empty();
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** A log event as a reader sees it: logger, message and any exception text. */
    private static String text(LogEvent e) {
        StringBuilder sb = new StringBuilder(e.getLoggerName()).append(": ").append(e.getMessage().getFormattedMessage());
        for (Throwable t = e.getThrown(); t != null; t = t.getCause()) {
            sb.append(" | ").append(t);
        }
        return sb.toString();
    }
}
