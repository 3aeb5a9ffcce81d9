package io.backroute.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** One in-process CLI invocation with {@code --config CONFIG}: its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {

    static CliRun of(Path config, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        String[] full = new String[args.length + 2];
        full[0] = "--config";
        full[1] = config.toString();
        System.arraycopy(args, 0, full, 2, args.length);
        int code = BackrouteCli.execute(new PrintWriter(o, true), new PrintWriter(e, true), full);
        return new CliRun(code, o.toString(), e.toString());
    }
}
