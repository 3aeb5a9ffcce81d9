package io.backroute.alert;

/** What an alert is about, with its severity and the default advice telling the operator what to do. */
public enum AlertKind {
    FAILED(Severity.CRITICAL, "backup failed",
            "Read the error above, fix the source or destination it names, then run 'backroute run-now <job>' "
                    + "and check 'backroute history <job>'. Until a run succeeds, this job has no new backup."),
    PARTIAL(Severity.WARNING, "backup stored at only some destinations",
            "The artifact is safe at the destinations marked OK. Fix the FAILED destination (reachable? full? "
                    + "credentials?), then run 'backroute run-now <job>' to restore full redundancy."),
    SKIPPED(Severity.WARNING, "run skipped: the previous run was still in progress",
            "A run takes longer than the gap between two triggers, or one is hung. Check the running dump and "
                    + "the job's schedule."),
    RECOVERED(Severity.INFO, "backup recovered",
            "Nothing to do: the job succeeded again after failing. Check why it failed so it does not come back."),
    SUCCESS(Severity.INFO, "backup succeeded",
            "Nothing to do (success notifications are on for this job: jobs.<job>.notify-success)."),
    STALE(Severity.CRITICAL, "newest good backup is too old",
            "No good backup within the job's max-age. Check that the job is scheduled ('backroute jobs'), that its "
                    + "runs succeed ('backroute history <job>'), and run it now ('backroute run-now <job>')."),
    NEVER_RAN(Severity.CRITICAL, "job has never produced a good backup",
            "The job was enabled for longer than its max-age without one good run. Check its schedule and run it "
                    + "now ('backroute run-now <job>')."),
    NOT_SCHEDULED(Severity.CRITICAL, "job is not scheduled: it will never run by itself",
            "The job has no next fire time (a cron that never fires, such as 30 February, or a paused or "
                    + "unregistered trigger). Fix jobs.<job>.cron and restart the service."),
    MISSED_FIRE(Severity.WARNING, "scheduled run was missed",
            "The scheduler could not fire the job on time (service paused or overloaded, all threads busy, "
                    + "clock jump). Check the host, and that the next run succeeds."),
    LOW_DISK(Severity.WARNING, "low disk space",
            "Free space is below backroute.watchdog.min-free-bytes: the next run may fail. Free space, grow the "
                    + "volume, or tighten retention."),
    RETENTION_FAILED(Severity.WARNING, "retention failed",
            "Old backups were not pruned at this destination: the disk may fill up. Check the destination "
                    + "(reachable? permissions?) and preview with 'backroute retention <job> --dry-run'."),
    RETENTION_SKIPPED(Severity.WARNING, "retention skipped: the latest run failed",
            "Nothing is pruned while the job's latest run is FAILED, so that good backups are not aged out. Fix the "
                    + "failing run; pruning resumes after the next good run."),
    DRILL_FAILED(Severity.CRITICAL, "restore drill failed",
            "The newest backup could not be restored and checked: treat it as unusable until a drill passes. Read the "
                    + "failed check, fix the cause, and run 'backroute drill <job>'."),
    KEY_CANARY_FAILED(Severity.CRITICAL, "the escrow key no longer decrypts",
            "The key held for recovery cannot decrypt the canary encrypted to the current recipients: backups may be "
                    + "unrestorable with it. Check the recipients and the escrow key now ('backroute keys canary check')."),
    STARTUP_INVALID(Severity.CRITICAL, "service did not start: invalid configuration",
            "Nothing is scheduled until every problem listed is fixed. Fix config/application.properties or the "
                    + "job files, then start the service again.");

    /** How urgent: decides nothing by itself, but mail filters and webhooks route on it. */
    public enum Severity { CRITICAL, WARNING, INFO }

    private final Severity severity;
    private final String title;
    private final String advice;

    AlertKind(Severity severity, String title, String advice) {
        this.severity = severity;
        this.title = title;
        this.advice = advice;
    }

    public Severity severity() { return severity; }

    public String title() { return title; }

    public String advice() { return advice; }

    /** Run failures repeat on every trigger: they are deduplicated by time window, watchdog findings by change. */
    public boolean windowed() {
        return this == FAILED || this == PARTIAL || this == SKIPPED || this == RETENTION_FAILED || this == RETENTION_SKIPPED;
    }
}
