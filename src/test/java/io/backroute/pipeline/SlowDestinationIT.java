package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.FtpTestServer;
import io.backroute.testsupport.TestFiles;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves a slow destination (an FTP server throttling uploads to 192 KiB/s) holds back no other destination, and that
 * its {@code timeout} turns it FAILED "timed out after ..." with the transfer aborted and its temp name removed, the run
 * PARTIAL.
 */
class SlowDestinationIT {

    private static final String PREFIX = "backroute.destinations.";

    static FtpTestServer slowFtp;
    static Path source;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start(@TempDir Path shared) throws Exception {
        slowFtp = FtpTestServer.ftpWithUploadRate(192 * 1024);
        source = Files.createDirectories(shared.resolve("source"));
        // incompressible 1 MiB: over 5 s at the throttled rate, a blink on local disk
        TestFiles.random(source.resolve("random.bin"), 1024L * 1024, 23);
    }

    @AfterAll
    static void stop() {
        slowFtp.close();
    }

    private Workspace workspace(String dir) throws Exception {
        Files.createDirectories(slowFtp.home().resolve(dir));
        Workspace ws = new Workspace(tmp, "file:src/test/resources/routes/fanout/*.camel.yaml")
                .set("backroute.retention.after-run", "false")
                .set("jobs.fanout.directory", source.toString())
                .set("jobs.fanout.destinations", "local,ftp")
                .set("jobs.fanout.verify", "size");
        ws.set(PREFIX + "ftp.kind", "ftp");
        slowFtp.options(dir).forEach((k, v) -> ws.set(PREFIX + "ftp." + k, v));
        return ws;
    }

    private static DestinationResult result(RunRecord run, String destination) {
        return run.destinations().stream().filter(r -> r.destination().equals(destination)).findFirst().orElseThrow();
    }

    private static List<String> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void slowDestinationDoesNotHoldBackTheOthers(TestInfo test) throws Exception {
        String dir = test.getTestMethod().orElseThrow().getName();
        Workspace ws = workspace(dir);
        Path ftpDir = slowFtp.home().resolve(dir);
        try (BackrouteService service = ws.service()) {
            service.start();
            CompletableFuture<RunRecord> running = CompletableFuture.supplyAsync(() -> service.runtime().runNow("fanout", "test"));

            // the local copy is complete, manifest included, while the FTP upload is still in flight under its temp name
            Awaitility.await("local manifest while FTP uploads").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> files(ws.backups).stream().anyMatch(f -> f.endsWith(Manifest.SUFFIX))
                            && files(ftpDir).stream().anyMatch(f -> f.endsWith(".tar.zst.gpg.part")));
            assertThat(files(ftpDir)).as("FTP still uploading").noneMatch(f -> f.endsWith(".tar.zst.gpg"));

            RunRecord run = running.get(60, TimeUnit.SECONDS);
            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            DestinationResult local = result(run, "local");
            DestinationResult ftp = result(run, "ftp");
            assertThat(ftp.durationMs()).as("throttled upload").isGreaterThan(3000);
            assertThat(local.durationMs()).isLessThan(ftp.durationMs() / 3);
            String key = local.artifacts().get(0);
            assertThat(files(ftpDir)).containsExactly(key, key + Manifest.SUFFIX);
        }
    }

    @Test
    void tooSlowDestinationTimesOutWithItsTransferAbortedAndTheRunPartial(TestInfo test) throws Exception {
        String dir = test.getTestMethod().orElseThrow().getName();
        Workspace ws = workspace(dir).set(PREFIX + "ftp.timeout", "1s");
        Path ftpDir = slowFtp.home().resolve(dir);
        try (BackrouteService service = ws.service()) {
            service.start();
            long t0 = System.nanoTime();
            RunRecord run = service.runtime().runNow("fanout", "test");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertThat(run.status()).isEqualTo(RunStatus.PARTIAL);
            DestinationResult ftp = result(run, "ftp");
            assertThat(ftp.ok()).isFalse();
            assertThat(ftp.error()).startsWith("ftp: timed out after 1.0 s (backroute.destinations.ftp.timeout), transfer aborted: ")
                    .doesNotContain(FtpTestServer.PASSWORD);
            assertThat(ftp.artifacts()).isEmpty();
            // the deadline closed the connection: the delivery did not wait for the upload's 5+ s
            assertThat(ftp.durationMs()).isLessThan(4000);
            assertThat(took).isLessThan(Duration.ofSeconds(10));
            DestinationResult local = result(run, "local");
            assertThat(local.ok()).as("local: %s", local.error()).isTrue();
            assertThat(ws.backups.resolve(local.artifacts().get(0) + Manifest.SUFFIX)).exists();
        }
        assertThat(files(ftpDir)).as("no artifact and no temp name left at the FTP server").isEmpty();
    }
}
