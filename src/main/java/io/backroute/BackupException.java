package io.backroute;

/**
 * A failure of one stage of a backup run, carrying the job, run and stage it happened in, and
 * whether retrying could help (transient) or not (permanent: auth, missing bucket, bad input).
 * Messages never contain secrets.
 */
public class BackupException extends RuntimeException {

    private final String job;
    private final String runId;
    private final String stage;
    private final boolean permanent;

    public BackupException(String stage, String message) {
        this(null, null, stage, message, true, null);
    }

    public BackupException(String stage, String message, Throwable cause) {
        this(null, null, stage, message, true, cause);
    }

    public BackupException(String job, String runId, String stage, String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.job = job;
        this.runId = runId;
        this.stage = stage;
        this.permanent = permanent;
    }

    public String job() { return job; }
    public String runId() { return runId; }
    public String stage() { return stage; }
    public boolean permanent() { return permanent; }

    /** A short "stage: message" line for run records and alerts. */
    public String summary() {
        return (stage == null ? "" : stage + ": ") + getMessage();
    }
}
