package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.RetentionRunner;
import io.backroute.retention.RetentionRun;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code retention JOB [--destination NAME] [--dry-run]}: applies, or previews, a job's retention policy with a reason per kept run. */
@Command(name = "retention", description = "Apply (or with --dry-run, preview) a job's retention policy at its destinations.")
final class RetentionCommand extends BackrouteCli.Base {

    @Parameters(paramLabel = "JOB", description = "job id")
    String job;

    @Option(names = "--destination", paramLabel = "NAME", description = "only this destination (default: every destination of the job)")
    String destination;

    @Option(names = "--dry-run", description = "print keep/remove decisions with reasons; delete nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        try (BackrouteService s = startService()) {
            JobRuntime rt = s.runtime();
            requireJob(rt, job);
            RetentionRunner runner = s.camel().getRegistry().lookupByNameAndType("backrouteRetention", RetentionRunner.class);
            List<RetentionRun> runs;
            if (destination != null) {
                if (!rt.destinationsOf(job).contains(destination)) {
                    throw new BackrouteCli.UsageError("job " + job + " does not store to '" + destination + "'; its destinations: "
                            + String.join(", ", rt.destinationsOf(job)));
                }
                runs = List.of(runner.run(job, destination, dryRun));
            } else {
                runs = runner.apply(job, dryRun);
            }
            if (json) {
                out().println(Json.write(runs));
            } else {
                out().print(RetentionRun.render(runs));
            }
            out().flush();
            return runs.stream().anyMatch(r -> r.error() != null) ? ExitCodes.FAILED : ExitCodes.SUCCESS;
        }
    }
}
