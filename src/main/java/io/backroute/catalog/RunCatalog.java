package io.backroute.catalog;

import java.util.List;
import java.util.Optional;

/**
 * Durable history of runs, surviving restarts. The embedded implementation is {@link SqliteRunCatalog};
 * a PostgreSQL-backed one can implement the same contract.
 * <p>
 * Obligations: {@link #save} is an upsert by run id and is durable when it returns; every method is
 * thread safe; reads return newest first. A run found RUNNING at startup belonged to a process that
 * died: {@link #markInterrupted} turns it FAILED.
 */
public interface RunCatalog extends AutoCloseable {

    void save(RunRecord run);

    Optional<RunRecord> find(String runId);

    /** Last {@code limit} runs of a job, newest first. */
    List<RunRecord> history(String job, int limit);

    Optional<RunRecord> lastRun(String job);

    /** Newest run with status SUCCESS or PARTIAL. */
    Optional<RunRecord> lastGood(String job);

    Optional<RunRecord> lastWithStatus(String job, RunStatus status);

    /** Records a restore drill (upsert by drill id); durable when it returns. */
    void saveDrill(DrillRecord drill);

    /** Newest drill of a job. */
    Optional<DrillRecord> lastDrill(String job);

    /** Last {@code limit} drills of a job, newest first. */
    List<DrillRecord> drills(String job, int limit);

    /**
     * Start time of the newest SUCCESS or PARTIAL run of the job whose artifacts passed a drill: what a freshness
     * check that counts only drilled artifacts compares with its max-age.
     */
    Optional<java.time.Instant> lastGoodDrilledRun(String job);

    /** Records one verification of an artifact (verify command or drill); durable when it returns. */
    void saveVerification(VerificationRecord verification);

    /**
     * The newest verification of every artifact of the job that was ever verified, one per destination and artifact
     * key, newest first.
     */
    List<VerificationRecord> lastVerifications(String job);

    /** Marks every RUNNING run FAILED with the given message; returns how many. */
    int markInterrupted(String message);

    @Override
    void close();
}
