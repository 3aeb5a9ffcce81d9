package io.backroute.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.catalog.SqliteRunCatalog;
import io.backroute.management.RemoteJmx;
import io.backroute.testsupport.Ports;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the ops commands: status and stats (text and --json) from the catalog, and pause/resume acting on a running service over authenticated JMX. */
class OpsCliTest {

    @TempDir
    Path tmp;

    String out;
    String err;

    /** Remote JMX on a free port for user {@code ops} (password {@code s3cret-pw}, readwrite). */
    Workspace withRemoteJmx(Workspace ws) throws Exception {
        Path password = Files.writeString(tmp.resolve("jmx.password"), "ops s3cret-pw\n");
        Path access = Files.writeString(tmp.resolve("jmx.access"), "ops readwrite\n");
        return ws.set(RemoteJmx.PORT, String.valueOf(Ports.free()))
                .set(RemoteJmx.PASSWORD_FILE, password.toString())
                .set(RemoteJmx.ACCESS_FILE, access.toString());
    }

    int cli(Path config, String... args) {
        CliRun r = CliRun.of(config, args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    @Test
    void statusAndStatsReportTheCatalogWithinTheWindowAsTextAndJson() throws Exception {
        Workspace ws = new Workspace(tmp);
        Path config = ws.writeConfig();
        assertThat(cli(config, "run-now", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode run = Json.MAPPER.readTree(out);
        long stored = run.get("storedBytes").asLong();
        Instant recent = Instant.now().minus(Duration.ofDays(2));
        Instant old = Instant.now().minus(Duration.ofDays(45));
        try (SqliteRunCatalog catalog = new SqliteRunCatalog(ws.data.resolve("catalog.db"))) {
            catalog.save(new RunRecord("demo-recent-failed", "demo", "schedule", RunStatus.FAILED, recent, recent.plusSeconds(5),
                    0, 0, List.of(new DestinationResult("local", false, 0, 10, List.of(), "disk full")), "local: disk full"));
            catalog.save(new RunRecord("demo-old-ok", "demo", "schedule", RunStatus.SUCCESS, old, old.plusSeconds(5),
                    10, 1000, List.of(new DestinationResult("local", true, 1000, 10, List.of("k"), null)), null));
        }

        assertThat(cli(config, "stats", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode stats = Json.MAPPER.readTree(out);
        assertThat(stats.at("/runs/SUCCESS").asLong()).isEqualTo(1);
        assertThat(stats.at("/runs/FAILED").asLong()).isEqualTo(1);
        assertThat(stats.at("/successRate").asDouble()).isEqualTo(0.5);
        assertThat(stats.at("/jobs/demo/storedBytes").asLong()).isEqualTo(stored);
        assertThat(stats.at("/storedBytesPerDestination/local").asLong()).isEqualTo(stored);
        assertThat(stats.at("/failuresPerDestination/local").asLong()).isEqualTo(1);

        assertThat(cli(config, "stats", "--since", "60d", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode wide = Json.MAPPER.readTree(out);
        assertThat(wide.at("/runs/SUCCESS").asLong()).as("the 45-day-old run is inside 60d").isEqualTo(2);
        assertThat(wide.at("/storedBytesPerDestination/local").asLong()).isEqualTo(stored + 1000);

        assertThat(cli(config, "stats", "--since", "30d")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains("JOB").contains("SUCCESS%").containsPattern("demo\\s+1\\s+0\\s+1\\s+0\\s+0\\s+50\\.0%")
                .containsPattern("local\\s+\\S+ \\S+\\s+1");
        assertThat(cli(config, "stats", "--since", "soon")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("--since 'soon' is not a duration");

        assertThat(cli(config, "status", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode status = Json.MAPPER.readTree(out);
        assertThat(status).hasSize(1);
        assertThat(status.get(0).get("job").asText()).isEqualTo("demo");
        assertThat(status.get(0).get("state").asText()).isEqualTo("enabled");
        assertThat(status.get(0).get("lastStatus").asText()).isEqualTo("SUCCESS");
        assertThat(status.get(0).get("freshness").asText()).isIn("OK", "UNKNOWN");
        assertThat(status.get(0).get("nextFire").asText()).isNotEmpty();
        assertThat(status.at("/0/destinations/local").asText()).isEqualTo("OK");
        assertThat(cli(config, "status")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains("FRESHNESS").containsPattern("demo\\s+enabled\\s+SUCCESS").contains("local=OK");
    }

    @Test
    void pauseAndResumeActOnTheRunningServiceOverJmxAndExplainWhenTheyCannot() throws Exception {
        Path pwFile = Files.writeString(tmp.resolve("my-password"), "s3cret-pw\n");
        Path wrongPw = Files.writeString(tmp.resolve("wrong-password"), "nope\n");
        Workspace plain = new Workspace(tmp.resolve("plain"));
        assertThat(cli(plain.writeConfig(), "pause", "demo", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("remote JMX is off").contains(RemoteJmx.PORT);

        Workspace ws = withRemoteJmx(new Workspace(tmp.resolve("ws")));
        Path config = ws.writeConfig();
        try (BackrouteService service = ws.service()) {
            service.start();
            assertThat(cli(config, "pause", "demo", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.SUCCESS);
            assertThat(out).contains("job demo paused");
            assertThat(service.ops().view().control().isPaused("demo")).isTrue();
            assertThat(service.runtime().nextFireTime("demo")).isPresent();

            assertThat(cli(config, "pause", "nosuchjob", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.USAGE);
            assertThat(err).contains("no job 'nosuchjob'");
            assertThat(cli(config, "resume", "demo", "--password-file", wrongPw.toString())).isEqualTo(ExitCodes.FAILED);
            assertThat(err).contains("refused user 'ops'").doesNotContain("nope");
            assertThat(service.ops().view().control().isPaused("demo")).isTrue();

            assertThat(cli(config, "resume", "demo", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.SUCCESS);
            assertThat(out).contains("job demo resumed");
            assertThat(service.ops().view().control().isPaused("demo")).isFalse();
        }
        assertThat(cli(config, "resume", "demo", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.FAILED);
        assertThat(err).contains("cannot reach the service's JMX").contains("is the service running?");
    }

    @Test
    void triggerRunsTheJobInsideTheRunningServiceAndExitsWithTheRunsStatus() throws Exception {
        Path pwFile = Files.writeString(tmp.resolve("my-password"), "s3cret-pw\n");
        Workspace ws = withRemoteJmx(new Workspace(tmp.resolve("trigger")));
        Path config = ws.writeConfig();
        try (BackrouteService service = ws.service()) {
            service.start();
            assertThat(cli(config, "trigger", "demo", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.SUCCESS);
            List<RunRecord> runs = service.runtime().catalog().history("demo", 10);
            assertThat(runs).hasSize(1);
            RunRecord run = runs.get(0);
            assertThat(run.trigger()).isEqualTo("jmx");
            assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(out).startsWith(run.runId() + ": SUCCESS in ").contains("stored " + run.storedBytes() + " bytes");
            assertThat(Files.list(ws.backups.resolve("demo")).filter(p -> p.toString().endsWith(".gpg"))).hasSize(2);

            assertThat(cli(config, "trigger", "demo", "--no-wait", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.SUCCESS);
            assertThat(out).contains("job demo started");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> service.runtime().catalog().history("demo", 10).size() == 2);

            assertThat(cli(config, "trigger", "demo", "--timeout", "soon", "--password-file", pwFile.toString()))
                    .isEqualTo(ExitCodes.USAGE);
            assertThat(err).contains("--timeout soon");
            assertThat(cli(config, "trigger", "nosuchjob", "--password-file", pwFile.toString())).isEqualTo(ExitCodes.USAGE);
            assertThat(err).contains("no job 'nosuchjob'");
        }
    }
}
