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

    /**
     * Checks for the {@code doctor} command: "OK: ..." and "PROBLEM: ..." lines; never throws. Database sources
     * connect, read the server version and check the client tool; the default reports configuration problems.
     */
    default List<String> doctor() {
        List<String> problems = new java.util.ArrayList<>();
        validate(problems);
        if (problems.isEmpty()) {
            return List.of("OK: " + kind() + " source configuration is valid");
        }
        return problems.stream().map(p -> "PROBLEM: " + p).toList();
    }

    /** Plans this run's dump units; preflight checks happen here and throw {@link io.backroute.BackupException}. */
    List<DumpUnit> units();
}
