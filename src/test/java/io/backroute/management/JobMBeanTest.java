package io.backroute.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.testsupport.Workspace;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the job MBean shows the last run from the catalog, the schedule and next fire time, and that runNow() runs the job. */
class JobMBeanTest {

    @TempDir
    Path tmp;

    @Test
    void exposesLastRunAndRunsNowOverJmx() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.backroute:type=job,job=demo");
        try (BackrouteService s = new Workspace(tmp).service()) {
            s.start();
            assertThat(server.getAttribute(name, "LastRunStatus")).isEqualTo("NONE");
            assertThat((String) server.getAttribute(name, "NextFireTime")).isNotEmpty();
            assertThat(server.getAttribute(name, "Schedule")).isEqualTo("0 0 * * * ?");
            assertThat(server.invoke(name, "runNow", null, null)).isEqualTo("job demo started");
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> "SUCCESS".equals(server.getAttribute(name, "LastRunStatus")));
            RunRecord last = s.runtime().catalog().lastRun("demo").orElseThrow();
            assertThat(server.getAttribute(name, "LastRunId")).isEqualTo(last.runId());
            assertThat((Long) server.getAttribute(name, "LastStoredBytes")).isEqualTo(last.storedBytes()).isPositive();
            assertThat((String) server.getAttribute(name, "LastSuccessTime")).isNotEmpty();
            assertThat(server.getAttribute(name, "LastFailureMessage")).isEqualTo("");
            assertThat(server.isRegistered(new ObjectName("org.apache.camel:context=backroute,type=routes,name=\"demo\""))).isTrue();
        }
        assertThat(server.isRegistered(name)).isFalse();
    }
}
