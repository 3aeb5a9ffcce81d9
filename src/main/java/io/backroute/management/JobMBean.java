package io.backroute.management;

/**
 * JMX view of one job, {@code io.backroute:type=job,job=<id>}: what ops check first. Rebuilt from the run
 * catalog, so it survives restarts. No attribute ever holds a secret. Times are ISO-8601 UTC strings, empty
 * when there is none; numbers are -1 when unknown. Attribute names are stable (docs/operations.md).
 */
public interface JobMBean {

    String getJob();

    /** The job route is started (false when the route is stopped or has autoStartup false). */
    boolean isEnabled();

    /** An operator paused the trigger (pause()); kept across restarts. */
    boolean isPaused();

    boolean isRunning();

    /** Cron expression of a Quartz job, else the (sanitized) trigger endpoint. */
    String getSchedule();

    /** Time zone the cron is evaluated in; empty for non-Quartz jobs. */
    String getTimeZone();

    /** ISO-8601, empty when the job has no next fire time (paused, not scheduled, or not Quartz). */
    String getNextFireTime();

    String getLastRunId();

    /** RUNNING, SUCCESS, PARTIAL, FAILED, SKIPPED or NONE. */
    String getLastRunStatus();

    String getLastRunStart();

    long getLastDurationMillis();

    long getLastStoredBytes();

    long getLastPlainBytes();

    /** Stored bytes per second of the last run, -1 when unknown. */
    long getLastThroughputBytesPerSecond();

    String getLastSuccessTime();

    String getLastFailureTime();

    String getLastFailureMessage();

    /** FAILED or PARTIAL runs since the last SUCCESS (SKIPPED runs ignored), from the catalog. */
    int getConsecutiveFailures();

    /** Last status at each destination of the job, e.g. {@code local=OK s3=FAILED} (NONE: never stored there). */
    String getDestinationStatus();

    /** Freshness watchdog finding (OK, STALE, NEVER_RAN, NOT_SCHEDULED, MISSED_FIRE, PAUSED) or UNKNOWN. */
    String getFreshnessState();

    /** Age of the newest good artifact in seconds, -1 when unknown. */
    long getFreshnessAgeSeconds();

    /** The job's max-age in seconds, -1 when unknown. */
    long getFreshnessThresholdSeconds();

    boolean isStale();

    /** Alerts sent for this job, -1 until the alert counters are wired. */
    long getAlertsSent();

    /** Alerts that could not be delivered, -1 until the alert counters are wired. */
    long getAlertsFailed();

    /** SUCCESS or FAILED of the newest restore drill, NONE when the job was never drilled. */
    String getLastDrillStatus();

    /** ISO-8601 start of the newest restore drill, empty when none. */
    String getLastDrillTime();

    /** Measured restore time (RTO) of the newest drill in milliseconds, -1 when none restored anything. */
    long getLastDrillRtoMillis();

    /** What retention would keep and remove at each destination, with reasons; deletes nothing. */
    String previewRetention();

    /** Starts a run now in the background; returns a message saying so (or why not). */
    String runNow();

    /** Stops the trigger from firing (a run in progress continues); kept across restarts. */
    String pause();

    /** Lets the trigger fire again at its schedule. */
    String resume();
}
