package io.backroute.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Ports;
import io.backroute.testsupport.Workspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the health endpoint and the Prometheus metrics on Camel's embedded server report Backroute's jobs, and that metrics are rebuilt from the catalog after a restart. */
class HealthAndMetricsTest {

    @TempDir
    Path tmp;

    Workspace ws;
    int port;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void workspaceWithManagementServer() throws Exception {
        port = Ports.free();
        ws = new Workspace(tmp).set("camel.management.port", String.valueOf(port));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsUpWithBackrouteChecksAndDownWhenTheCatalogIsUnreachable() throws Exception {
        try (BackrouteService s = ws.service()) {
            s.start();
            HttpResponse<String> health = get("/observe/health?data=true");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("backroute-service").contains("backroute-jobs").contains("\"UP\"");
            HttpResponse<String> ready = get("/observe/health/ready?data=true");
            assertThat(ready.body()).contains("backroute-jobs").contains("next fire");

            s.runtime().catalog().close();
            HttpResponse<String> down = get("/observe/health/ready?data=true");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("run catalog unreachable");
            HttpResponse<String> live = get("/observe/health/live");
            assertThat(live.statusCode()).as("liveness stays UP: restarting would not fix the catalog").isEqualTo(200);
        }
    }

    @Test
    void exportsJobMetricsAndRebuildsCountersFromTheCatalogAfterARestart() throws Exception {
        RunRecord run;
        try (BackrouteService s = ws.service()) {
            s.start();
            run = s.runtime().runNow("demo", "test");
            assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
            String m = get("/observe/metrics").body();
            assertThat(m).contains("backroute_runs_total{job=\"demo\",status=\"SUCCESS\"} 1.0");
        }
        try (BackrouteService s = ws.service()) {
            s.start();
            HttpResponse<String> r = get("/observe/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            String m = r.body();
            assertThat(m).contains("backroute_runs_total{job=\"demo\",status=\"SUCCESS\"} 1.0")
                    .contains("backroute_runs_total{job=\"demo\",status=\"FAILED\"} 0.0")
                    .contains("backroute_job_last_run_status{job=\"demo\",status=\"SUCCESS\"} 1.0")
                    .contains("backroute_job_last_run_status{job=\"demo\",status=\"FAILED\"} 0.0")
                    .contains("backroute_job_last_stored_bytes{job=\"demo\"} " + (double) run.storedBytes())
                    .contains("backroute_destination_uploaded_bytes_total{destination=\"local\"} " + (double) run.storedBytes())
                    .contains("backroute_destination_failures_total{destination=\"local\"} 0.0")
                    .contains("backroute_job_consecutive_failures{job=\"demo\"} 0.0")
                    .contains("backroute_job_paused{job=\"demo\"} 0.0")
                    .contains("backroute_alerts_sent_total{job=\"demo\"} 0.0")
                    .contains("backroute_alerts_failed_total{job=\"demo\"} 0.0");
            assertThat(value(m, "backroute_job_freshness_seconds{job=\"demo\"}")).isGreaterThanOrEqualTo(0.0);
            assertThat(value(m, "backroute_job_last_success_timestamp_seconds{job=\"demo\"}"))
                    .isEqualTo(run.start().toEpochMilli() / 1000.0);
            assertThat(value(m, "backroute_job_last_duration_seconds{job=\"demo\"}")).isEqualTo(run.durationMs() / 1000.0);
            assertThat(m).as("Camel's own metrics are still there").contains("camel_");
            dashboardQueriesOnlyExportedMetrics(m);
        }
    }

    @Test
    void backupFreshnessIsDownWhileAJobIsStale() throws Exception {
        ws.set("jobs.demo.max-age", "1s");
        try (BackrouteService s = ws.service()) {
            s.start();
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.SUCCESS);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> get("/observe/health/ready?data=true").statusCode() == 503);
            HttpResponse<String> ready = get("/observe/health/ready?data=true");
            assertThat(ready.body()).contains("backup-freshness").contains("not fresh: demo STALE");
            assertThat(value(get("/observe/metrics").body(), "backroute_job_stale{job=\"demo\"}")).isEqualTo(1.0);
        }
    }

    /** docs/grafana-dashboard.json must load as is: a Prometheus datasource variable, and every backroute_* series it queries exported. */
    private static void dashboardQueriesOnlyExportedMetrics(String metrics) throws Exception {
        var dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of("docs/grafana-dashboard.json").toFile());
        assertThat(dashboard.at("/templating/list").findValuesAsText("type")).contains("datasource");
        assertThat(dashboard.at("/templating/list/0/query").asText()).isEqualTo("prometheus");
        assertThat(dashboard.get("panels")).isNotEmpty();
        java.util.Set<String> queried = new java.util.TreeSet<>();
        for (var expr : dashboard.findValues("expr")) {
            java.util.regex.Matcher mm = java.util.regex.Pattern.compile("backroute_[a-z_]+").matcher(expr.asText());
            while (mm.find()) {
                queried.add(mm.group());
            }
        }
        assertThat(queried).contains("backroute_job_freshness_seconds", "backroute_runs_total", "backroute_job_last_run_status");
        for (String name : queried) {
            assertThat(metrics).as("dashboard metric %s is exported", name).contains("\n" + name + "{");
        }
    }

    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not exported"));
    }
}
