package io.backroute.catalog;

import java.time.Instant;
import java.util.List;

/**
 * One run of a job as stored in the catalog. Immutable; the pipeline builds a new one per state change.
 *
 * @param runId          {@code <job>-<yyyyMMdd'T'HHmmss'Z'>-<4 hex>}
 * @param job            job id
 * @param trigger        what started it: {@code schedule}, {@code run-now}, {@code endpoint}, ...
 * @param status         RUNNING, SUCCESS, PARTIAL, FAILED, SKIPPED
 * @param start          start time
 * @param end            end time, null while RUNNING
 * @param plainBytes     bytes of the plain dump(s)
 * @param storedBytes    bytes of the stored artifact(s) (compressed + encrypted)
 * @param destinations   per-destination results
 * @param error          error summary (with stderr tail) when FAILED/PARTIAL/SKIPPED, else null; no secrets
 */
public record RunRecord(String runId, String job, String trigger, RunStatus status, Instant start, Instant end,
                        long plainBytes, long storedBytes, List<DestinationResult> destinations, String error) {

    public RunRecord {
        destinations = destinations == null ? List.of() : List.copyOf(destinations);
    }

    public long durationMs() {
        return end == null ? -1 : end.toEpochMilli() - start.toEpochMilli();
    }

    public RunRecord finish(RunStatus newStatus, Instant newEnd, long plain, long stored,
                            List<DestinationResult> results, String newError) {
        return new RunRecord(runId, job, trigger, newStatus, start, newEnd, plain, stored, results, newError);
    }
}
