package io.backroute.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backroute.BackrouteService;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the timer watchdog reports STALE, NEVER_RAN, NOT_SCHEDULED, LOW_DISK (each once until it changes) and Quartz misfires, to a real webhook. */
class WatchdogTest {

    @TempDir
    Path tmp;

    Workspace ws;
    Webhook hook;
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() throws Exception {
        hook = new Webhook();
        ws = new Workspace(tmp, "file:src/test/resources/routes/alerting/*.camel.yaml", "file:src/test/resources/routes/watchdog/*.camel.yaml");
        ws.set("backroute.alert.endpoints", hook.url("/hook"))
                .set("backroute.watchdog.enabled", "true")
                .set("backroute.watchdog.period", "50ms")
                .set("backroute.watchdog.delay", "0")
                .set("backroute.destinations.second.kind", "local")
                .set("backroute.destinations.second.path", tmp.resolve("second").toString())
                // far-future crons: nothing fires by itself during a test
                .set("jobs.demo.cron", "0 0 0 1 1 ? 2099")
                .set("jobs.missed.cron", "0 0 0 1 1 ? 2099")
                .set("jobs.two-places.directory", Files.createDirectories(tmp.resolve("src")).toString())
                .set("jobs.missed.directory", tmp.resolve("src").toString());
        Files.writeString(tmp.resolve("src/a.txt"), "alpha\n");
    }

    @AfterEach
    void tearDown() {
        hook.close();
    }

    BackrouteService start() {
        BackrouteService s = ws.service().bind("gate", AlertRouteTest.openGate());
        s.start();
        return s;
    }

    List<JsonNode> alerts(String kind) {
        return hook.bodies.stream().map(this::parse).filter(n -> n.get("kind").asText().equals(kind)).toList();
    }

    JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void moreChecks(Watchdog w, int n) {
        long target = w.checks() + n;
        await().atMost(Duration.ofSeconds(20)).until(() -> w.checks() >= target);
    }

    @Test
    void staleJobIsAlertedOnceUntilANewGoodRunChangesIt() throws Exception {
        ws.set("jobs.demo.max-age", "1s");
        try (BackrouteService s = start()) {
            Watchdog w = s.camel().getRegistry().lookupByNameAndType(Watchdog.BEAN, Watchdog.class);
            String first = s.runtime().runNow("demo", "test").runId();
            await().atMost(Duration.ofSeconds(20)).until(() -> alerts("STALE").size() == 1);
            moreChecks(w, 5);
            assertThat(alerts("STALE")).hasSize(1);
            JsonNode stale = alerts("STALE").get(0);
            assertThat(stale.get("job").asText()).isEqualTo("demo");
            assertThat(stale.get("facts").get("Max age").asText()).contains("jobs.demo.max-age");
            assertThat(stale.get("facts").get("Last attempt").asText()).contains("SUCCESS");
            assertThat(stale.get("lastSuccess").asText()).isEqualTo(s.runtime().catalog().find(first).orElseThrow().end().toString());

            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.SUCCESS);
            await().atMost(Duration.ofSeconds(20)).until(() -> alerts("STALE").size() == 2);
        }
    }

    @Test
    void jobWithoutAGoodRunWithinMaxAgeOfServiceStartIsNeverRan() throws Exception {
        ws.set("jobs.demo.max-age", "1s");
        try (BackrouteService s = start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> alerts("NEVER_RAN").size() == 1);
            JsonNode n = alerts("NEVER_RAN").get(0);
            assertThat(n.get("job").asText()).isEqualTo("demo");
            Instant enabledSince = Instant.parse(n.get("facts").get("Enabled since").asText());
            assertThat(Duration.between(enabledSince, Instant.parse(n.get("time").asText()))).isGreaterThan(Duration.ofSeconds(1));
            assertThat(alerts("STALE")).isEmpty();
        }
    }

    @Test
    void jobWhoseTriggerIsNotRegisteredIsNotScheduledAlertedOnce() throws Exception {
        try (BackrouteService s = start()) {
            Watchdog w = s.camel().getRegistry().lookupByNameAndType(Watchdog.BEAN, Watchdog.class);
            // The seeds' worst failure: a job whose trigger silently is not (or no longer) in the scheduler.
            var q = (org.apache.camel.component.quartz.QuartzEndpoint) s.camel().getRoute("demo").getEndpoint();
            ((QuartzComponent) s.camel().getComponent("quartz")).getScheduler().unscheduleJob(q.getTriggerKey());
            await().atMost(Duration.ofSeconds(20)).until(() -> alerts("NOT_SCHEDULED").size() == 1);
            moreChecks(w, 5);
            assertThat(alerts("NOT_SCHEDULED")).singleElement().satisfies(n -> {
                assertThat(n.get("job").asText()).isEqualTo("demo");
                assertThat(n.get("summary").asText()).contains("no next fire time").contains("0 0 0 1 1 ? 2099");
                assertThat(n.get("nextRun").isNull()).isTrue();
            });
        }
    }

    @Test
    void cronThatNeverFiresIsAStartupProblemNamingTheJob() {
        // Quartz refuses to schedule a trigger that never fires; startup validation catches it first, so the
        // operator gets one clear problem (and the startup alert) instead of a job that silently never runs.
        ws.set("jobs.demo.cron", "0 0 0 30 2 ?");
        try (BackrouteService s = ws.service().bind("gate", AlertRouteTest.openGate())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(s::start)
                    .isInstanceOf(io.backroute.config.ConfigurationException.class)
                    .hasMessageContaining("job demo").hasMessageContaining("never fires");
        }
    }

    @Test
    void lowDiskAtStagingAndEveryLocalDestinationIsAlertedOncePerPath() throws Exception {
        ws.set("backroute.watchdog.min-free-bytes", String.valueOf(Long.MAX_VALUE));
        try (BackrouteService s = start()) {
            Watchdog w = s.camel().getRegistry().lookupByNameAndType(Watchdog.BEAN, Watchdog.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> alerts("LOW_DISK").size() == 3);
            moreChecks(w, 5);
            assertThat(alerts("LOW_DISK")).extracting(n -> n.get("facts").get("Path").asText())
                    .containsExactlyInAnyOrder(ws.stagingDir().toString(), ws.backups.toString(), tmp.resolve("second").toString());
        }
    }

    @Test
    void quartzMisfireIsReportedWithItsPlannedTime() throws Exception {
        ws.set("jobs.missed.cron", "* * * * * ?")
                .set("camel.component.quartz.properties[org.quartz.jobStore.misfireThreshold]", "100")
                .set("camel.component.quartz.properties[org.quartz.threadPool.threadCount]", "2");
        try (BackrouteService s = start()) {
            // The scheduler stays in standby (as when the host was suspended) until the planned fire is past the threshold.
            Instant planned = s.runtime().nextFireTime("missed").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(planned.plusMillis(500)));
            ((QuartzComponent) s.camel().getComponent("quartz")).getScheduler().start();
            await().atMost(Duration.ofSeconds(20)).until(() -> !alerts("MISSED_FIRE").isEmpty());
            JsonNode n = alerts("MISSED_FIRE").get(0);
            assertThat(n.get("job").asText()).isEqualTo("missed");
            assertThat(n.get("facts").get("Planned").asText()).isEqualTo(planned.toString());
        }
    }

    @Test
    void derivedMaxAgeIsTwiceTheLongestCronGapPlusGrace() {
        Instant from = Instant.parse("2025-03-12T12:00:00Z");
        Duration grace = Duration.ofMinutes(15);
        assertThat(Watchdog.derivedMaxAge("0 0 2 * * ?", grace, from)).contains(Duration.ofHours(48).plus(grace));
        // Weekdays only: the weekend gap (Friday 02:00 to Monday 02:00) decides.
        assertThat(Watchdog.derivedMaxAge("0 0 2 ? * MON-FRI", grace, from)).contains(Duration.ofHours(144).plus(grace));
        assertThat(Watchdog.derivedMaxAge("0 0 0 30 2 ?", grace, from)).isEmpty();
    }
}
