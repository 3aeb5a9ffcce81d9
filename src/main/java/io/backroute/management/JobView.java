package io.backroute.management;

import io.backroute.catalog.RunRecord;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What ops see of one job at one moment, read from the route, its trigger and the run catalog: the single source
 * of the job MBean, the metrics, the status page and the CLI.
 *
 * @param destinationStatus  per destination of the job: OK, FAILED or NONE (never stored there yet), in job order
 * @param freshness          the watchdog's finding, null when unknown (no watchdog bound or not evaluated yet)
 */
public record JobView(String job, boolean enabled, boolean paused, boolean running, String schedule, String timeZone,
                      Instant nextFireTime, RunRecord lastRun, RunRecord lastSuccess, RunRecord lastFailure,
                      int consecutiveFailures, Map<String, String> destinationStatus, Freshness freshness) {

    public Optional<RunRecord> last() {
        return Optional.ofNullable(lastRun);
    }

    public String lastStatus() {
        return lastRun == null ? "NONE" : lastRun.status().name();
    }

    /** Stored bytes per second of the last finished run, -1 when unknown. */
    public long lastThroughput() {
        if (lastRun == null || lastRun.durationMs() <= 0) {
            return -1;
        }
        return lastRun.storedBytes() * 1000 / lastRun.durationMs();
    }

    public String freshnessState() {
        return freshness == null ? "UNKNOWN" : freshness.state();
    }

    public boolean stale() {
        return freshness != null && freshness.stale();
    }

    /** Failing: the last finished run was not SUCCESS (FAILED or PARTIAL). */
    public boolean failing() {
        return consecutiveFailures > 0;
    }

    /** "local=OK s3=FAILED": compact per-destination status for JMX and the CLI. */
    public String destinationStatusLine() {
        StringBuilder sb = new StringBuilder();
        destinationStatus.forEach((d, s) -> sb.append(sb.length() == 0 ? "" : " ").append(d).append('=').append(s));
        return sb.toString();
    }
}
