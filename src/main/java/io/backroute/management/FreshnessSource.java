package io.backroute.management;

import java.util.Optional;

/**
 * Hook for the freshness watchdog: bind one implementation in the Camel registry and the job MBean, the
 * service MBean, the metrics, the status page and the CLI show its findings; without one they show "UNKNOWN".
 */
public interface FreshnessSource {

    /** Freshness of a job, empty when the watchdog has not evaluated it yet. */
    Optional<Freshness> freshness(String job);
}
