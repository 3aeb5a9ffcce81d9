package io.backroute.management;

/**
 * JMX view of one job, {@code io.backroute:type=job,job=<id>}: what ops check first. Rebuilt from the run
 * catalog, so it survives restarts. No attribute ever holds a secret.
 */
public interface JobMBean {

    String getJob();

    boolean isEnabled();

    boolean isRunning();

    String getSchedule();

    /** ISO-8601, empty when the job has no next fire time (not scheduled). */
    String getNextFireTime();

    String getLastRunId();

    /** RUNNING, SUCCESS, PARTIAL, FAILED, SKIPPED or NONE. */
    String getLastRunStatus();

    String getLastRunStart();

    long getLastDurationMillis();

    long getLastStoredBytes();

    long getLastPlainBytes();

    String getLastSuccessTime();

    String getLastFailureTime();

    String getLastFailureMessage();

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
}
