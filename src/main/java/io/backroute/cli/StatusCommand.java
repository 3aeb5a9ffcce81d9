package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.management.JobView;
import io.backroute.management.OpsView;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code status}: one screen with every job's state, last result, last success, next fire, freshness and destinations, from the run catalog. */
@Command(name = "status", description = "One screen: every job, its last result, last success, next fire, freshness and destinations.")
final class StatusCommand extends BackrouteCli.Base {

    @Override
    public Integer call() {
        try (BackrouteService s = startService()) {
            OpsView view = s.ops().view();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (JobView j : view.jobs()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("job", j.job());
                row.put("state", j.paused() ? "paused" : j.enabled() ? "enabled" : "disabled");
                row.put("schedule", j.schedule());
                row.put("timeZone", j.timeZone());
                row.put("nextFire", str(j.nextFireTime()));
                row.put("lastStatus", j.lastStatus());
                row.put("lastRun", j.lastRun() == null ? null : str(j.lastRun().start()));
                row.put("lastSuccess", j.lastSuccess() == null ? null : str(j.lastSuccess().end()));
                row.put("consecutiveFailures", j.consecutiveFailures());
                row.put("lastError", j.lastRun() == null ? null : j.lastRun().error());
                row.put("freshness", j.freshnessState());
                row.put("freshnessAgeSeconds", j.freshness() == null ? null : j.freshness().ageSeconds());
                row.put("destinations", j.destinationStatus());
                rows.add(row);
            }
            if (json) {
                out().println(Json.write(rows));
            } else {
                String fmt = "%-18s %-8s %-8s %-20s %-20s %-20s %-9s %s%n";
                out().printf(fmt, "JOB", "STATE", "LAST", "LAST SUCCESS", "NEXT FIRE", "SCHEDULE", "FRESHNESS", "DESTINATIONS");
                for (JobView j : view.jobs()) {
                    out().printf(fmt, j.job(), j.paused() ? "paused" : j.enabled() ? "enabled" : "disabled",
                            j.lastStatus(), dash(j.lastSuccess() == null ? null : j.lastSuccess().end()),
                            dash(j.nextFireTime()), j.schedule(), j.freshnessState(), j.destinationStatusLine());
                    if (j.failing() && j.lastRun() != null && j.lastRun().error() != null) {
                        out().printf("  %d failure(s) in a row; last error: %s%n", j.consecutiveFailures(), j.lastRun().error());
                    }
                }
            }
            out().flush();
            return ExitCodes.SUCCESS;
        }
    }

    private static String str(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String dash(Instant i) {
        return i == null ? "-" : str(i);
    }
}
