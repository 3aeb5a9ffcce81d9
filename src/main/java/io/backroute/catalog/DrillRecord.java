package io.backroute.catalog;

import java.time.Instant;
import java.util.List;

/**
 * One restore drill as stored in the catalog: which run's artifacts were restored from where, the outcome, the
 * measured restore time (RTO) and every check made.
 *
 * @param drillId     {@code <job>-drill-<yyyyMMdd'T'HHmmss'Z'>-<4 hex>}
 * @param job         job id
 * @param runId       the run whose artifacts were restored, null when no artifact could be selected
 * @param destination the destination the artifacts were read from
 * @param artifacts   artifact keys restored (in order)
 * @param status      SUCCESS when every artifact restored and every check passed, else FAILED
 * @param start       drill start
 * @param end         drill end (after the scratch targets were dropped)
 * @param rtoMillis   time spent restoring the artifacts (streaming, decrypting, loading), checks excluded; -1 if none restored
 * @param plainBytes  plain bytes restored
 * @param checks      what was checked and passed, one line each
 * @param error       why it failed (one line, no secret), null on SUCCESS
 */
public record DrillRecord(String drillId, String job, String runId, String destination, List<String> artifacts,
                          Status status, Instant start, Instant end, long rtoMillis, long plainBytes,
                          List<String> checks, String error) {

    /** Outcome of a drill. */
    public enum Status { SUCCESS, FAILED }

    public DrillRecord {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    public boolean ok() {
        return status == Status.SUCCESS;
    }
}
