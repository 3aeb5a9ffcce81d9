package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.FtpTestServer;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.TestFiles;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves a full destination disk (a real 1 MiB tmpfs under a local destination and under an FTP server's home) fails that destination as "out of space", the run PARTIAL, with nothing half-visible there. */
class DestinationFullIT {

    private static final String PREFIX = "backroute.destinations.";

    static FtpTestServer ftp;
    static Path source;

    @TempDir
    Path tmp;

    final List<Path> mounts = new ArrayList<>();

    @BeforeAll
    static void start(@TempDir Path shared) throws Exception {
        ftp = FtpTestServer.ftp();
        source = Files.createDirectories(shared.resolve("source"));
        // incompressible and twice the tmpfs: the artifact cannot fit
        TestFiles.random(source.resolve("random.bin"), 2L * 1024 * 1024, 17);
    }

    @AfterAll
    static void stop() {
        ftp.close();
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            Tools.exec(Map.of(), null, "umount", m.toString());
        }
    }

    /** Mounts a 1 MiB tmpfs on {@code dir}; skips like StagingSpaceTest where mounting is not permitted. */
    private Path tinyDisk(Path dir) throws Exception {
        Files.createDirectories(dir);
        Tools.Result r = Tools.exec(Map.of(), null, "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
        Assumptions.assumeTrue(r.exit() == 0 || "true".equals(System.getenv("CI")), "needs root to mount a 1 MiB tmpfs: " + r.err());
        assertThat(r.exit()).as("mount tmpfs: %s", r.err()).isZero();
        mounts.add(dir);
        return dir;
    }

    private Workspace workspace(String destinations) throws Exception {
        return new Workspace(tmp, "file:src/test/resources/routes/fanout/*.camel.yaml")
                .set("backroute.retention.after-run", "false")
                .set("jobs.fanout.directory", source.toString())
                .set("jobs.fanout.destinations", destinations)
                .set("jobs.fanout.verify", "size");
    }

    private static void declare(Workspace ws, String name, String kind, Map<String, String> options) {
        ws.set(PREFIX + name + ".kind", kind);
        options.forEach((k, v) -> ws.set(PREFIX + name + "." + k, v));
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
    void fullLocalDiskFailsThatDestinationAsOutOfSpaceWhileFtpCompletes() throws Exception {
        Workspace ws = workspace("local,ftp");
        Path disk = tinyDisk(tmp.resolve("small-backups"));
        Files.createDirectories(ftp.home().resolve("local-full"));
        ws.set(PREFIX + "local.path", disk.toString());
        declare(ws, "ftp", "ftp", ftp.options("local-full"));
        try (BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = service.runtime().runNow("fanout", "test");

            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.PARTIAL);
            DestinationResult local = result(run, "local");
            assertThat(local.ok()).isFalse();
            assertThat(local.error()).startsWith("local: ").contains("out of space").contains(disk.toString())
                    .contains("No space left on device");
            assertThat(local.artifacts()).isEmpty();
            DestinationResult ok = result(run, "ftp");
            assertThat(ok.ok()).as("ftp: %s", ok.error()).isTrue();
            String key = ok.artifacts().get(0);
            assertThat(files(ftp.home().resolve("local-full"))).containsExactly(key, key + Manifest.SUFFIX);
        }
        assertThat(files(disk)).as("nothing half-visible, temp removed").isEmpty();
    }

    @Test
    void fullFtpServerDiskFailsThatDestinationAsOutOfSpaceWhileLocalCompletes() throws Exception {
        // FtpServer answers a full disk with its generic "551 Error on output file": retried as a possible passing write error
        Workspace ws = workspace("local,ftp").set("backroute.delivery.attempts", "2");
        Path disk = tinyDisk(ftp.home().resolve("ftp-full"));
        declare(ws, "ftp", "ftp", ftp.options("ftp-full"));
        try (LogCapture logs = new LogCapture(Level.WARN); BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = service.runtime().runNow("fanout", "test");

            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.PARTIAL);
            DestinationResult failed = result(run, "ftp");
            assertThat(failed.ok()).isFalse();
            assertThat(failed.error()).startsWith("ftp: ").contains("out of space").doesNotContain(FtpTestServer.PASSWORD);
            assertThat(run.error()).doesNotContain(FtpTestServer.PASSWORD);
            assertThat(failed.artifacts()).isEmpty();
            assertThat(logs.messages()).filteredOn(m -> m.contains("retrying in")).singleElement().asString()
                    .contains("out of space or write error at the server (FTP 551)").doesNotContain(FtpTestServer.PASSWORD);
            DestinationResult local = result(run, "local");
            assertThat(local.ok()).as("local: %s", local.error()).isTrue();
            String key = local.artifacts().get(0);
            assertThat(ws.backups.resolve(key)).exists();
            assertThat(ws.backups.resolve(key + Manifest.SUFFIX)).exists();
        }
        assertThat(files(disk)).as("nothing half-visible, temp removed").isEmpty();
    }
}
