package io.backroute.management;

/** JMX view of the whole service, {@code io.backroute:type=service}: version, uptime, job counts and staging space. */
public interface ServiceMBean {

    String getVersion();

    /** ISO-8601 UTC time the service finished starting. */
    String getStartTime();

    int getJobsTotal();

    int getJobsEnabled();

    int getJobsPaused();

    /** Jobs whose last finished run was FAILED or PARTIAL. */
    int getJobsFailing();

    /** Jobs the freshness watchdog reports STALE; -1 until the watchdog is wired. */
    int getJobsStale();

    String getStagingDirectory();

    /** Usable bytes at the staging directory's file system, -1 when unknown. */
    long getStagingFreeBytes();

    /** The run catalog answers a query. */
    boolean isCatalogReachable();
}
