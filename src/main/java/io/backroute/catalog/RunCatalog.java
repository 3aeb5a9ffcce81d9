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

    /** Marks every RUNNING run FAILED with the given message; returns how many. */
    int markInterrupted(String message);

    @Override
    void close();
}
