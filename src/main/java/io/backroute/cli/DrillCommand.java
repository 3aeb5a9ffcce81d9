package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.catalog.DrillRecord;
import io.backroute.pipeline.DrillRunner;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drill JOB}: runs the job's restore drill now, records it, and exits 0 when it passed, 1 when not. */
@Command(name = "drill", description = "Run a job's restore drill now (jobs.<job>.drill.*): restore the newest run "
        + "into scratch targets, check it, drop them, record the result. Exit 0 when it passed, 1 when not.")
final class DrillCommand extends BackrouteCli.Base {

    @Parameters(paramLabel = "JOB", description = "job id")
    String job;

    @Override
    public Integer call() {
        try (BackrouteService s = startService()) {
            JobRuntime rt = s.runtime();
            requireJob(rt, job);
            DrillRunner drills = s.camel().getRegistry().lookupByNameAndType("backrouteDrills", DrillRunner.class);
            if (drills.spec(job).isEmpty()) {
                throw new BackrouteCli.UsageError("job " + job + " declares no drill: set jobs." + job
                        + ".drill.key (and .destination, .cron, .target, .db-url, .assert.<n>.sql/.expect)");
            }
            DrillRecord r = drills.run(job);
            if (json) {
                out().println(Json.write(r));
            } else {
                out().printf("Drill %s of run %s from %s: %s, restore time %s, %s restored%n", r.drillId(), r.runId(),
                        r.destination(), r.status(), r.rtoMillis() < 0 ? "-" : r.rtoMillis() + " ms", Units.bytes(r.plainBytes()));
                r.checks().forEach(c -> out().println("  ok: " + c));
                if (r.error() != null) {
                    out().println("  error: " + r.error());
                }
            }
            out().flush();
            return r.ok() ? ExitCodes.SUCCESS : ExitCodes.FAILED;
        }
    }
}
