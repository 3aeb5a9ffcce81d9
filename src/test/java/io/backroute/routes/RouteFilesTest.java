package io.backroute.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.pipeline.JobRuntime;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.Workspace;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves every route file under routes/ loads in canonical YAML with no warning, every route has an explicit id, and every job step has one. */
class RouteFilesTest {

    @TempDir
    Path tmp;

    @Test
    void everyRouteFileLoadsCanonicallyWithExplicitIds() throws Exception {
        try (LogCapture warnings = new LogCapture(Level.WARN); BackrouteService s = new Workspace(tmp).service()) {
            s.start();
            List<RouteDefinition> routes = ((ModelCamelContext) s.camel()).getRouteDefinitions();
            assertThat(routes).extracting(RouteDefinition::getRouteId).contains("demo", "fan-out", "alert");
            for (RouteDefinition rd : routes) {
                assertThat(rd.hasCustomIdAssigned()).as("route from %s has an explicit id", rd.getResource()).isTrue();
                assertThat(rd.getResource().getLocation()).startsWith("file:routes/");
            }
            for (RouteDefinition job : JobRuntime.jobDefinitions(s.camel())) {
                assertThat(job.getInput().hasCustomIdAssigned()).as("trigger of job %s has an id", job.getRouteId()).isTrue();
                for (ProcessorDefinition<?> step : JobRuntime.steps(job.getOutputs())) {
                    assertThat(step.hasCustomIdAssigned()).as("step %s of job %s has an id", step, job.getRouteId()).isTrue();
                }
            }
            assertThat(warnings.messages()).as("warnings while loading routes").noneMatch(m -> m.contains("org.apache.camel"));
        }
    }

}
