package io.backroute.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.testsupport.Workspace;
import java.nio.file.Path;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLI commands start a lean service (no HTTP server, metrics registry, Camel JMX or status page route) that
 * still runs jobs; the long-running service keeps all of it.
 */
class CommandModeTest {

    @TempDir
    Path tmp;

    @Test
    void aCommandServiceLeavesOutTheOpsServersButRunsJobs() throws Exception {
        Workspace ws = new Workspace(tmp);
        Path config = ws.writeConfig();
        try (BackrouteService s = BackrouteService.forCommand(config)) {
            s.start();
            assertThat(s.camel().getRoutes()).extracting(Route::getRouteId)
                    .contains("demo", "fan-out").doesNotContain("status-page");
            assertThat(s.camel().getManagementStrategy().getManagementAgent()).isNull();
            assertThat(s.camel().hasComponent("platform-http")).isNull();
            assertThat(s.camel().getRegistry().findByType(io.micrometer.core.instrument.MeterRegistry.class)).isEmpty();
            RunRecord r = s.runtime().runNow("demo", "test");
            assertThat(r.status().name()).isEqualTo("SUCCESS");
        }
    }

    @Test
    void aCommandKeepsTheExclusionsTheConfigurationMakes() throws Exception {
        Workspace ws = new Workspace(tmp);
        ws.set("camel.main.routes-exclude-pattern", "**/retention.camel.yaml");
        Path config = ws.writeConfig();
        try (BackrouteService s = BackrouteService.forCommand(config)) {
            s.start();
            assertThat(s.camel().getRoutes()).extracting(Route::getRouteId)
                    .contains("demo").doesNotContain("status-page", "retention");
        }
    }

    @Test
    void theEmbeddedServiceKeepsTheStatusPage() throws Exception {
        Workspace ws = new Workspace(tmp);
        try (BackrouteService s = ws.service()) {
            s.start();
            assertThat(s.camel().getRoutes()).extracting(Route::getRouteId).contains("status-page");
        }
    }

    @Test
    void theClassDataTrainingRunBacksUpVerifiesAndRestoresInAThrowAwayDirectory() throws Exception {
        java.util.function.Supplier<java.util.List<String>> leftovers = () -> {
            try (var s = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("backroute-cds-train-")).toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        var before = leftovers.get();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = BackrouteCli.execute(new java.io.PrintWriter(java.io.OutputStream.nullOutputStream(), true),
                new java.io.PrintWriter(err, true), "cds-train");
        assertThat(rc).as(err.toString()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(leftovers.get()).containsExactlyInAnyOrderElementsOf(before);
    }
}
