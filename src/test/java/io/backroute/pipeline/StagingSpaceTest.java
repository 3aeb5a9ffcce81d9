package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Gate;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves a full staging disk (a real 1 MiB tmpfs) fails the run cleanly, and a nearly full one fails it before dumping. */
class StagingSpaceTest {

    @TempDir
    Path tmp;

    Path tmpfs;
    Workspace ws;

    @BeforeEach
    void setUp() throws Exception {
        tmpfs = Files.createDirectories(tmp.resolve("small-staging"));
        Tools.Result r = Tools.exec(Map.of(), null, "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tmpfs.toString());
        Assumptions.assumeTrue(r.exit() == 0 || "true".equals(System.getenv("CI")),
                "needs root to mount a 1 MiB tmpfs: " + r.err());
        assertThat(r.exit()).as("mount tmpfs: %s", r.err()).isZero();
        Path src = Files.createDirectories(tmp.resolve("src"));
        byte[] buf = new byte[64 * 1024];
        Random rnd = new Random(42);
        try (OutputStream out = Files.newOutputStream(src.resolve("random.bin"))) {
            for (int i = 0; i < 48; i++) {
                rnd.nextBytes(buf);
                out.write(buf);
            }
        }
        ws = new Workspace(tmp, "file:src/test/resources/routes/gated.camel.yaml")
                .set("jobs.gated.directory", src.toString())
                .set("backroute.staging-dir", tmpfs.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (tmpfs != null) {
            Tools.exec(Map.of(), null, "umount", tmpfs.toString());
        }
    }

    @Test
    void fullStagingDiskFailsTheRunAndLeavesNothingBehind() throws Exception {
        ws.set("backroute.staging.min-free-bytes", "0");
        Gate open = new Gate();
        open.open.countDown();
        try (BackrouteService s = ws.service().bind("gate", open)) {
            s.start();
            RunRecord r = s.runtime().runNow("gated", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).contains("staging disk full").contains(tmpfs.getFileName().toString());
        }
        RunLifecycleTest.assertNoFiles(tmpfs);
        assertThat(ws.backups.resolve("gated")).doesNotExist();
    }

    @Test
    void runThatCannotFitByTheLastRunsSizeFailsBeforeDumping() throws Exception {
        assertThat(Tools.exec(Map.of(), null, "mount", "-o", "remount,size=8m", tmpfs.toString()).exit()).isZero();
        ws.set("backroute.staging.min-free-bytes", String.valueOf(5L * 1024 * 1024));
        Gate gate = new Gate();
        gate.open.countDown();
        try (BackrouteService s = ws.service().bind("gate", gate)) {
            s.start();
            RunRecord first = s.runtime().runNow("gated", "test");
            assertThat(first.status()).as("first run: %s", first.error()).isEqualTo(RunStatus.SUCCESS);
            RunRecord second = s.runtime().runNow("gated", "test");
            assertThat(second.status()).isEqualTo(RunStatus.FAILED);
            assertThat(second.error()).contains("cannot fit").contains("last good run");
        }
    }

    @Test
    void stagingBelowTheFreeSpaceThresholdFailsBeforeDumping() throws Exception {
        ws.set("backroute.staging.min-free-bytes", String.valueOf(2L * 1024 * 1024));
        Gate gate = new Gate();
        gate.open.countDown();
        try (BackrouteService s = ws.service().bind("gate", gate)) {
            s.start();
            RunRecord r = s.runtime().runNow("gated", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).contains("below backroute.staging.min-free-bytes");
            assertThat(gate.arrived.getCount()).as("the job never reached its dump").isEqualTo(1);
        }
    }
}
