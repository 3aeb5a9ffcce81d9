package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.camel.DumpComponent;
import io.backroute.pipeline.JobRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code doctor [JOB...]}: preflight of every source of every job (connect, server version, client tool and version,
 * client older than server) without dumping anything; exit 1 when any problem is found.
 */
@Command(name = "doctor", description = "Check every job's sources: connection, server version, client tool and version.")
final class DoctorCommand extends BackrouteCli.Base {

    @Parameters(paramLabel = "JOB", arity = "0..*", description = "jobs to check (default: all)")
    List<String> jobs = new ArrayList<>();

    @Override
    public Integer call() {
        try (BackrouteService s = startService()) {
            JobRuntime rt = s.runtime();
            List<String> selected = jobs.isEmpty() ? rt.jobIds() : jobs;
            selected.forEach(j -> requireJob(rt, j));
            Map<String, Map<String, List<String>>> report = new LinkedHashMap<>();
            boolean problems = false;
            for (RouteDefinition rd : JobRuntime.jobDefinitions(s.camel())) {
                if (!selected.contains(rd.getRouteId())) {
                    continue;
                }
                Map<String, List<String>> perStep = new LinkedHashMap<>();
                for (SendDefinition<?> to : JobRuntime.sendSteps(rd.getOutputs())) {
                    String uri = s.camel().resolvePropertyPlaceholders(to.getEndpointUri());
                    if (!uri.startsWith("dump:")) {
                        continue;
                    }
                    Endpoint ep = s.camel().getEndpoint(uri);
                    if (ep instanceof DumpComponent.DumpEndpoint d) {
                        List<String> lines = d.getSource().doctor();
                        perStep.put(to.getId() == null ? d.getKind() : to.getId(), lines);
                        problems |= lines.stream().anyMatch(l -> l.startsWith("PROBLEM"));
                    }
                }
                report.put(rd.getRouteId(), perStep);
            }
            if (json) {
                out().println(Json.write(report));
            } else {
                report.forEach((job, steps) -> {
                    out().println(job);
                    steps.forEach((step, lines) -> {
                        out().println("  " + step);
                        lines.forEach(l -> out().println("    " + l));
                    });
                });
            }
            out().flush();
            return problems ? ExitCodes.FAILED : ExitCodes.SUCCESS;
        }
    }

}
