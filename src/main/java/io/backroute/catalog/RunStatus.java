package io.backroute.catalog;

/** Status of a run: RUNNING until it ends in SUCCESS, PARTIAL (some destinations failed), FAILED or SKIPPED (overlap). */
public enum RunStatus {
    RUNNING, SUCCESS, PARTIAL, FAILED, SKIPPED;

    public boolean good() { return this == SUCCESS || this == PARTIAL; }
}
