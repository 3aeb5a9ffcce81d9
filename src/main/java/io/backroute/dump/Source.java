package io.backroute.dump;

import java.util.List;

/**
 * What a job dumps. A source is configured once (from endpoint options) and asked, per run, for the
 * dump units to stream. {@link #validate(List)} reports configuration problems without side effects
 * (for startup validation); {@link #units()} may connect and run preflight checks.
 */
public interface Source {

    /** {@code postgresql}, {@code mariadb}, {@code sqlite}, {@code directory}. */
    String kind();

    /** Adds one human readable line per configuration problem (what is wrong and how to fix it). */
    void validate(List<String> problems);

    /** Plans this run's dump units; preflight checks happen here and throw {@link io.backroute.BackupException}. */
    List<DumpUnit> units();
}
