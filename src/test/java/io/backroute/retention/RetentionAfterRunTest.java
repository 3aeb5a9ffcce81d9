package io.backroute.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.cli.BackrouteCli;
import io.backroute.testsupport.Workspace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves retention runs after each good run through the retention route, and that the dry run (CLI and JMX) shows reasons and deletes nothing. */
class RetentionAfterRunTest {

    @TempDir
    Path tmp;

    @Test
    void secondRunPrunesTheFirstAndPreviewsExplainWhy() throws Exception {
        Workspace ws = new Workspace(tmp).set("jobs.demo.retention.keep-last", "1")
                .set("jobs.demo.retention.keep-daily", "0").set("jobs.demo.retention.keep-weekly", "0");
        RunRecord first;
        RunRecord second;
        try (BackrouteService s = ws.service()) {
            s.start();
            first = s.runtime().runNow("demo", "test");
            Instant firstSecond = first.start().plusSeconds(1);
            Awaitility.await().until(() -> Instant.now().isAfter(firstSecond));
            second = s.runtime().runNow("demo", "test");
            assertThat(second.status()).isEqualTo(RunStatus.SUCCESS);
            String preview = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(new ObjectName("io.backroute:type=job,job=demo"), "previewRetention", null, null);
            assertThat(preview).contains("demo at local (dry run)").contains("keep").contains(second.runId()).contains("last 1");
        }
        List<String> left = files(ws.backups.resolve("demo"));
        assertThat(left).hasSize(4).allMatch(f -> f.startsWith("demo-" + second.runId().split("-")[1]));

        StringWriter out = new StringWriter();
        int code = BackrouteCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "--config", ws.writeConfig().toString(), "retention", "demo", "--dry-run");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("(dry run)").contains(second.runId()).contains("1 kept, 0 would be removed");
        assertThat(files(ws.backups.resolve("demo"))).hasSize(4);
        assertThat(first.runId()).isNotEqualTo(second.runId());
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
