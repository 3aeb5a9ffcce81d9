package io.backroute.management;

/**
 * Hook for the alert route's counters: bind one implementation in the Camel registry and the job MBean and
 * the metrics show alerts sent and failed per job; without one they show -1.
 */
public interface AlertCounts {

    long sent(String job);

    long failed(String job);
}
