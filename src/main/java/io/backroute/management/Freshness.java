package io.backroute.management;

import java.time.Duration;

/**
 * Freshness of one job as computed by the freshness watchdog: a state (OK, STALE, NEVER_RAN, NOT_SCHEDULED,
 * MISSED_FIRE, PAUSED), the age of the newest good artifact and the job's max-age threshold.
 *
 * @param state     watchdog finding, upper case
 * @param age       age of the newest good artifact; null when there is none
 * @param threshold the job's max-age; null when the job has none
 */
public record Freshness(String state, Duration age, Duration threshold) {

    public boolean stale() {
        return "STALE".equals(state);
    }

    /** Age in seconds, -1 when unknown (what JMX and the metrics show for "no value"). */
    public long ageSeconds() {
        return age == null ? -1 : age.toSeconds();
    }

    public long thresholdSeconds() {
        return threshold == null ? -1 : threshold.toSeconds();
    }
}
