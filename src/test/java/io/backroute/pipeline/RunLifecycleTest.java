package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Gate;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves run bookkeeping: history survives a restart, overlaps are SKIPPED, any endpoint can start a job, mid-run faults end FAILED with nothing visible. */
class RunLifecycleTest {

    @TempDir
    Path tmp;

    Workspace ws;
    Path gatedDir;

    @BeforeEach
    void setUp() throws Exception {
        ws = new Workspace(tmp, "file:src/test/resources/routes/*.camel.yaml");
        gatedDir = Files.createDirectories(tmp.resolve("gated-src"));
        Files.writeString(gatedDir.resolve("a.txt"), "alpha\n".repeat(1000));
        Files.writeString(gatedDir.resolve("b.txt"), "beta\n".repeat(1000));
        ws.set("jobs.gated.directory", gatedDir.toString());
    }

    @Test
    void historySurvivesRestart() {
        RunRecord first;
        try (BackrouteService s = service(openGate())) {
            s.start();
            first = s.runtime().runNow("demo", "test");
        }
        try (BackrouteService s = service(openGate())) {
            s.start();
            assertThat(s.runtime().catalog().history("demo", 10)).extracting(RunRecord::runId).containsExactly(first.runId());
            assertThat(s.runtime().catalog().lastGood("demo")).map(RunRecord::status).contains(RunStatus.SUCCESS);
        }
    }

    @Test
    void overlappingTriggerIsRecordedAsSkipped() throws Exception {
        Gate gate = new Gate();
        try (BackrouteService s = service(gate)) {
            s.start();
            CompletableFuture<RunRecord> first = CompletableFuture.supplyAsync(() -> s.runtime().runNow("gated", "test"));
            assertThat(gate.arrived.await(30, TimeUnit.SECONDS)).isTrue();
            RunRecord second = s.runtime().runNow("gated", "test");
            assertThat(second.status()).isEqualTo(RunStatus.SKIPPED);
            assertThat(second.error()).contains("still in progress");
            gate.open.countDown();
            assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(s.runtime().catalog().history("gated", 10)).extracting(RunRecord::status)
                    .containsExactlyInAnyOrder(RunStatus.SUCCESS, RunStatus.SKIPPED);
        }
    }

    @Test
    void jobCanBeStartedFromAnyCamelEndpoint() {
        try (BackrouteService s = service(openGate())) {
            s.start();
            RunRecord r = s.camel().createProducerTemplate().requestBody("direct:trigger-demo", "", RunRecord.class);
            assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(r.trigger()).isEqualTo("endpoint");
            assertThat(s.runtime().catalog().lastRun("demo")).map(RunRecord::runId).contains(r.runId());
        }
    }

    @Test
    void sourceDeletedMidRunFailsWithNothingVisibleAndStagingCleaned() throws Exception {
        Gate gate = new Gate().onArrival(() -> deleteTree(gatedDir));
        gate.open.countDown();
        try (BackrouteService s = service(gate)) {
            s.start();
            RunRecord r = s.runtime().runNow("gated", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).contains("dump").contains(gatedDir.getFileName().toString());
        }
        assertThat(ws.backups.resolve("gated")).doesNotExist();
        assertNoFiles(ws.stagingDir());
    }

    @Test
    void destinationReplacedByAFileFailsTheRunAndLeavesNothingUnderTheFinalName() throws Exception {
        Gate gate = new Gate().onArrival(() -> {
            try {
                Files.createDirectories(ws.backups);
                Files.writeString(ws.backups.resolve("gated"), "not a directory");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        gate.open.countDown();
        try (BackrouteService s = service(gate)) {
            s.start();
            RunRecord r = s.runtime().runNow("gated", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.destinations()).singleElement().satisfies(d -> {
                assertThat(d.ok()).isFalse();
                assertThat(d.error()).startsWith("local:");
            });
        }
        assertThat(Files.isRegularFile(ws.backups.resolve("gated"))).isTrue();
        assertNoFiles(ws.stagingDir());
    }

    BackrouteService service(Gate gate) {
        return ws.service().bind("gate", gate);
    }

    static Gate openGate() {
        Gate g = new Gate();
        g.open.countDown();
        return g;
    }

    static void assertNoFiles(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty();
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
