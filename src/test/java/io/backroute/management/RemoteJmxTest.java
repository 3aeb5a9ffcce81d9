package io.backroute.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Ports;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Trigger;

/** Proves the job and service MBeans answer every attribute over an authenticated RMI connector, as JConsole would, and that pause/resume holds the trigger and survives a restart. */
class RemoteJmxTest {

    private static final ObjectName DEMO = JobManagement.name("demo");

    @TempDir
    Path tmp;

    Workspace ws;
    int port;

    @BeforeEach
    void remoteJmxWithPasswordAndAccessFiles() throws Exception {
        port = Ports.free();
        Path password = Files.writeString(tmp.resolve("jmx.password"), "ops s3cret-pw\nviewer view-pw\n");
        Path access = Files.writeString(tmp.resolve("jmx.access"), "ops readwrite\nviewer readonly\n");
        ws = new Workspace(tmp.resolve("ws"))
                .set(RemoteJmx.PORT, String.valueOf(port))
                .set(RemoteJmx.PASSWORD_FILE, password.toString())
                .set(RemoteJmx.ACCESS_FILE, access.toString())
                // a fire time years away keeps the expected next fire time stable during the test
                .set("jobs.demo.cron", "0 0 3 1 1 ? 2099");
    }

    private JMXConnector connect(String user, String password) throws Exception {
        Map<String, Object> env = new HashMap<>();
        if (user != null) {
            env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        }
        return JMXConnectorFactory.connect(RemoteJmx.url("127.0.0.1", port), env);
    }

    @Test
    void refusesConnectionsWithoutOrWithWrongCredentialsAndAcceptsTheRightOnes() throws Exception {
        try (BackrouteService s = ws.service()) {
            s.start();
            assertThatThrownBy(() -> connect(null, null)).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> connect("ops", "wrong")).isInstanceOf(SecurityException.class)
                    .hasMessageNotContaining("s3cret-pw");
            try (JMXConnector c = connect("ops", "s3cret-pw")) {
                assertThat(c.getMBeanServerConnection().getAttribute(DEMO, "Job")).isEqualTo("demo");
            }
            try (JMXConnector c = connect("viewer", "view-pw")) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                assertThat(mbs.getAttribute(DEMO, "Paused")).isEqualTo(false);
                assertThatThrownBy(() -> mbs.invoke(DEMO, "pause", null, null)).isInstanceOf(SecurityException.class);
            }
        }
    }

    @Test
    void readsEveryJobAndServiceAttributeAfterARun() throws Exception {
        try (BackrouteService s = ws.service()) {
            s.start();
            RunRecord run = s.runtime().runNow("demo", "test");
            assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
            try (JMXConnector c = connect("ops", "s3cret-pw")) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                Map<String, Object> job = readAll(mbs, DEMO);
                assertThat(job).containsOnlyKeys("Job", "Enabled", "Paused", "Running", "Schedule", "TimeZone",
                        "NextFireTime", "LastRunId", "LastRunStatus", "LastRunStart", "LastDurationMillis",
                        "LastStoredBytes", "LastPlainBytes", "LastThroughputBytesPerSecond", "LastSuccessTime",
                        "LastFailureTime", "LastFailureMessage", "ConsecutiveFailures", "DestinationStatus",
                        "FreshnessState", "FreshnessAgeSeconds", "FreshnessThresholdSeconds", "Stale",
                        "AlertsSent", "AlertsFailed", "LastDrillStatus", "LastDrillTime", "LastDrillRtoMillis");
                assertThat(job).containsEntry("Enabled", true).containsEntry("Paused", false)
                        .containsEntry("Running", false).containsEntry("Schedule", "0 0 3 1 1 ? 2099")
                        .containsEntry("TimeZone", java.util.TimeZone.getDefault().getID())
                        .containsEntry("NextFireTime", s.runtime().nextFireTime("demo").orElseThrow().toString())
                        .containsEntry("LastRunId", run.runId()).containsEntry("LastRunStatus", "SUCCESS")
                        .containsEntry("LastRunStart", run.start().toString())
                        .containsEntry("LastDurationMillis", run.durationMs())
                        .containsEntry("LastStoredBytes", run.storedBytes())
                        .containsEntry("LastPlainBytes", run.plainBytes())
                        .containsEntry("LastSuccessTime", run.end().toString())
                        .containsEntry("LastFailureTime", "").containsEntry("LastFailureMessage", "")
                        .containsEntry("ConsecutiveFailures", 0).containsEntry("DestinationStatus", "local=OK")
                        .containsEntry("FreshnessState", "OK").containsEntry("Stale", false)
                        .containsEntry("AlertsSent", 0L).containsEntry("AlertsFailed", 0L);
                assertThat((String) job.get("NextFireTime")).startsWith("2099-01-01");
                assertThat((Long) job.get("LastThroughputBytesPerSecond"))
                        .isEqualTo(run.durationMs() > 0 ? run.storedBytes() * 1000 / run.durationMs() : -1);

                Map<String, Object> service = readAll(mbs, JobManagement.SERVICE_NAME);
                assertThat(service).containsOnlyKeys("Version", "StartTime", "JobsTotal", "JobsEnabled", "JobsPaused",
                        "JobsFailing", "JobsStale", "StagingDirectory", "StagingFreeBytes", "CatalogReachable");
                assertThat(service).containsEntry("Version", BackrouteService.version())
                        .containsEntry("JobsTotal", 1).containsEntry("JobsEnabled", 1).containsEntry("JobsPaused", 0)
                        .containsEntry("JobsFailing", 0).containsEntry("JobsStale", 0)
                        .containsEntry("StagingDirectory", ws.stagingDir().toAbsolutePath().toString())
                        .containsEntry("CatalogReachable", true);
                assertThat((Long) service.get("StagingFreeBytes")).isPositive();
                assertThat(java.time.Instant.parse((String) service.get("StartTime"))).isBeforeOrEqualTo(java.time.Instant.now());
            }
        }
    }

    @Test
    void pauseHoldsTheQuartzTriggerSurvivesARestartAndResumeBringsTheSameNextFireTimeBack() throws Exception {
        String nextFire;
        try (BackrouteService s = ws.service()) {
            s.start();
            try (JMXConnector c = connect("ops", "s3cret-pw")) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                nextFire = (String) mbs.getAttribute(DEMO, "NextFireTime");
                assertThat(nextFire).isNotEmpty();
                assertThat(mbs.invoke(DEMO, "pause", null, null)).isEqualTo("job demo paused");
                assertThat(mbs.getAttribute(DEMO, "Paused")).isEqualTo(true);
                assertThat(mbs.getAttribute(DEMO, "NextFireTime")).isEqualTo("");
                assertThat(mbs.getAttribute(JobManagement.SERVICE_NAME, "JobsPaused")).isEqualTo(1);
                assertThat(triggerState(s)).isEqualTo(org.quartz.Trigger.TriggerState.PAUSED);
            }
        }
        assertThat(Files.readAllLines(ws.data.resolve(JobControl.FILE_NAME))).contains("demo");
        try (BackrouteService s = ws.service()) {
            s.start();
            try (JMXConnector c = connect("ops", "s3cret-pw")) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                assertThat(mbs.getAttribute(DEMO, "Paused")).as("paused state kept across the restart").isEqualTo(true);
                assertThat(triggerState(s)).isEqualTo(org.quartz.Trigger.TriggerState.PAUSED);
                assertThat(mbs.invoke(DEMO, "resume", null, null)).isEqualTo("job demo resumed");
                assertThat(mbs.getAttribute(DEMO, "Paused")).isEqualTo(false);
                assertThat(mbs.getAttribute(DEMO, "NextFireTime")).isEqualTo(nextFire);
                assertThat(triggerState(s)).isEqualTo(org.quartz.Trigger.TriggerState.NORMAL);
            }
        }
        assertThat(Files.readAllLines(ws.data.resolve(JobControl.FILE_NAME))).doesNotContain("demo");
    }

    private static Trigger.TriggerState triggerState(BackrouteService s) throws Exception {
        QuartzEndpoint q = (QuartzEndpoint) s.camel().getRoute("demo").getEndpoint();
        return q.getComponent().getScheduler().getTriggerState(q.getTriggerKey());
    }

    private static Map<String, Object> readAll(MBeanServerConnection mbs, ObjectName name) throws Exception {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (MBeanAttributeInfo a : mbs.getMBeanInfo(name).getAttributes()) {
            values.put(a.getName(), mbs.getAttribute(name, a.getName()));
        }
        return values;
    }
}
