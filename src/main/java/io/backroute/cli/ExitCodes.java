package io.backroute.cli;

import io.backroute.catalog.RunStatus;

/** Process exit codes of the CLI, documented in the README. */
public final class ExitCodes {

    public static final int SUCCESS = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int PARTIAL = 3;
    public static final int SKIPPED = 4;
    public static final int CONFIG = 78;

    private ExitCodes() { }

    public static int of(RunStatus s) {
        return switch (s) {
            case SUCCESS -> SUCCESS;
            case PARTIAL -> PARTIAL;
            case SKIPPED -> SKIPPED;
            default -> FAILED;
        };
    }
}
