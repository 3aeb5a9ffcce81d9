package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.DrillRecord;
import io.backroute.catalog.RunRecord;
import io.backroute.pipeline.DrillRunner;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.Workspace;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves restore drills of the real demo job: newest run restored and checked, results in the catalog and on the MBean, failures alerted, scratch files removed, and a Quartz-scheduled drill route. */
class DrillTest {

    @TempDir
    Path tmp;

    private Workspace drilledDemo() throws Exception {
        Workspace ws = new Workspace(tmp);
        ws.set("jobs.demo.drill.key", ws.keys.resolve("demo-secret.asc").toString());
        ws.set("jobs.demo.drill.assert.1.sql", "select count(*) from customers");
        ws.set("jobs.demo.drill.assert.1.expect", "2000");
        return ws;
    }

    private static DrillRunner drills(BackrouteService s) {
        return s.camel().getRegistry().lookupByNameAndType("backrouteDrills", DrillRunner.class);
    }

    private static long filesUnder(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).count();
        }
    }

    @Test
    void drillRestoresNewestRunChecksRowCountsAndAssertionsAndRecordsRto() throws Exception {
        Workspace ws = drilledDemo();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName mbean = new ObjectName("io.backroute:type=job,job=demo");
        try (BackrouteService s = ws.service()) {
            s.start();
            assertThat(server.getAttribute(mbean, "LastDrillStatus")).isEqualTo("NONE");
            s.runtime().runNow("demo", "test");
            RunRecord newest = s.runtime().runNow("demo", "test");

            DrillRecord d = drills(s).run("demo");

            assertThat(d.error()).isNull();
            assertThat(d.status()).isEqualTo(DrillRecord.Status.SUCCESS);
            assertThat(d.runId()).isEqualTo(newest.runId());
            assertThat(d.destination()).isEqualTo("local");
            assertThat(d.artifacts()).hasSize(2).allMatch(k -> k.startsWith("demo/"))
                    .anyMatch(k -> k.endsWith(".sqlite.zst.gpg")).anyMatch(k -> k.endsWith(".tar.zst.gpg"));
            assertThat(d.rtoMillis()).isNotNegative();
            assertThat(d.plainBytes()).isEqualTo(newest.plainBytes());
            assertThat(d.checks()).anyMatch(c -> c.startsWith("row counts of ") && c.endsWith("equal the manifest's"))
                    .anyMatch(c -> c.contains("assertion 1 (select count(*) from customers) returned 2000"))
                    .anyMatch(c -> c.startsWith("restored directory holds ") && c.contains("as the manifest recorded"));
            assertThat(s.runtime().catalog().lastDrill("demo")).contains(d);
            assertThat(s.runtime().catalog().lastGoodDrilledRun("demo")).contains(newest.start());
            assertThat(s.runtime().catalog().lastVerifications("demo")).as("one full verification per restored artifact")
                    .hasSize(2).allSatisfy(v -> {
                        assertThat(v.ok()).isTrue();
                        assertThat(v.level()).isEqualTo(io.backroute.catalog.VerificationRecord.Level.FULL);
                        assertThat(v.by()).isEqualTo("drill " + d.drillId());
                        assertThat(v.destination()).isEqualTo("local");
                        assertThat(v.runId()).isEqualTo(newest.runId());
                    }).extracting(io.backroute.catalog.VerificationRecord::artifact)
                    .containsExactlyInAnyOrderElementsOf(d.artifacts());
            assertThat(server.getAttribute(mbean, "LastDrillStatus")).isEqualTo("SUCCESS");
            assertThat(server.getAttribute(mbean, "LastDrillTime")).isEqualTo(d.start().toString());
            assertThat(server.getAttribute(mbean, "LastDrillRtoMillis")).isEqualTo(d.rtoMillis());
            assertThat(filesUnder(ws.data.resolve("drills"))).as("scratch files left under data/drills").isZero();
        }
    }

    @Test
    void failingAssertionFailsTheDrillAlertsAndStillRemovesTheScratchFiles() throws Exception {
        Workspace ws = drilledDemo();
        ws.set("jobs.demo.drill.assert.1.expect", "1999");
        try (LogCapture alerts = new LogCapture(Level.WARN); BackrouteService s = ws.service()) {
            s.start();
            RunRecord run = s.runtime().runNow("demo", "test");

            DrillRecord d = drills(s).run("demo");

            assertThat(d.status()).isEqualTo(DrillRecord.Status.FAILED);
            assertThat(d.runId()).isEqualTo(run.runId());
            assertThat(d.error()).contains("assertion 1 (select count(*) from customers)")
                    .contains("returned 2000, expected 1999").contains(".sqlite.zst.gpg");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> alerts.events.stream().anyMatch(e -> e.getLoggerName().equals("io.backroute.alert")
                    && e.getMessage().getFormattedMessage().startsWith("ALERT [backroute] DRILL_FAILED demo")));
            assertThat(s.runtime().catalog().lastDrill("demo").map(DrillRecord::status)).contains(DrillRecord.Status.FAILED);
            assertThat(s.runtime().catalog().lastGoodDrilledRun("demo")).isEmpty();
            assertThat(s.runtime().catalog().lastVerifications("demo")).as("the artifact the assertion failed on")
                    .singleElement().satisfies(v -> {
                        assertThat(v.ok()).isFalse();
                        assertThat(v.artifact()).endsWith(".sqlite.zst.gpg");
                        assertThat(v.by()).isEqualTo("drill " + d.drillId());
                        assertThat(v.detail()).contains("returned 2000, expected 1999");
                    });
            assertThat(filesUnder(ws.data.resolve("drills"))).as("scratch files left under data/drills").isZero();
        }
    }

    @Test
    void drillWithTheWrongKeyFailsNamingTheArtifactAndTheKey() throws Exception {
        Workspace ws = drilledDemo();
        Path other = tmp.resolve("other-keys");
        io.backroute.codec.DemoKeys.ensure(other);
        ws.set("jobs.demo.drill.key", other.resolve("demo-secret.asc").toString());
        try (BackrouteService s = ws.service()) {
            s.start();
            s.runtime().runNow("demo", "test");

            DrillRecord d = drills(s).run("demo");

            assertThat(d.status()).isEqualTo(DrillRecord.Status.FAILED);
            assertThat(d.error()).contains("demo/demo-").contains(other.resolve("demo-secret.asc").toString());
            assertThat(d.artifacts()).isEmpty();
            assertThat(filesUnder(ws.data.resolve("drills"))).isZero();
        }
    }

    @Test
    void drillCronMakesAQuartzRouteThatRunsTheDrill() throws Exception {
        Workspace ws = drilledDemo();
        ws.set("jobs.demo.drill.cron", "* * * * * ?");
        try (BackrouteService s = new BackrouteService(Path.of("config/application.properties"), true, ws.props)) {
            s.start();
            s.runtime().runNow("demo", "test");
            var route = s.camel().getRoute("drill-demo");
            assertThat(route).isNotNull();
            assertThat(route.getEndpoint()).isInstanceOfSatisfying(QuartzEndpoint.class,
                    q -> assertThat(q.getCron()).isEqualTo("* * * * * ?"));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    s.runtime().catalog().lastDrill("demo").filter(DrillRecord::ok).isPresent());
        }
    }
}
