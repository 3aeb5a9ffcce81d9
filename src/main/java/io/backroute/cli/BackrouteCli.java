package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunRecord;
import io.backroute.config.ConfigurationException;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.Units;
import io.backroute.store.Destination;
import io.backroute.store.LocalDestination;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code backroute} command line: the service (no command) and run-now, jobs, history. */
@Command(name = "backroute", mixinStandardHelpOptions = true, versionProvider = BackrouteCli.Version.class,
        description = "Scheduled, verifiable backups as Apache Camel routes. Without a command: run the service.",
        subcommands = {BackrouteCli.RunNow.class, BackrouteCli.Jobs.class, BackrouteCli.History.class,
                RetentionCommand.class, DoctorCommand.class,
                RestoreCommands.ListCmd.class, RestoreCommands.Verify.class, RestoreCommands.Restore.class, RestoreCommands.CatalogCmd.class,
                StatusCommand.class, StatsCommand.class, PauseResumeCommands.Pause.class, PauseResumeCommands.Resume.class,
                PauseResumeCommands.Trigger.class,
                DrillCommand.class, KeysCommand.class, TrainCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:SUCCESS", "1:FAILED (run failed or error)", "2:usage error (bad command, flag or job)",
                "3:PARTIAL (some destinations failed)", "4:SKIPPED (job already running)", "78:invalid configuration"})
public final class BackrouteCli implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: env BACKROUTE_CONFIG or config/application.properties)")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new BackrouteCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigurationException ce) {
                cmd.getErr().println(ce.getMessage());
                return ExitCodes.CONFIG;
            }
            if (ex instanceof UsageError ue) {
                cmd.getErr().println("backroute: " + ue.getMessage());
                return ExitCodes.USAGE;
            }
            cmd.getErr().println("backroute: " + JobRuntime.errorSummary(ex));
            return ExitCodes.FAILED;
        });
        return cl.execute(args);
    }

    Path configFile() {
        if (config != null) {
            return config;
        }
        String env = System.getenv("BACKROUTE_CONFIG");
        return Path.of(env != null && !env.isBlank() ? env : "config/application.properties");
    }

    @Override
    public Integer call() throws Exception {
        try (BackrouteService service = new BackrouteService(configFile(), true, Map.of())) {
            service.runUntilStopped();
        }
        return ExitCodes.SUCCESS;
    }

    static final class UsageError extends RuntimeException {
        UsageError(String m) {
            super(m);
        }
    }

    /** Common parts of the commands that start Camel without scheduling. */
    abstract static class Base implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackrouteCli parent;

        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() { return spec.commandLine().getOut(); }

        BackrouteService startService() {
            BackrouteService s = BackrouteService.forCommand(parent.configFile());
            try {
                s.start();
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            return s;
        }

        static void requireJob(JobRuntime rt, String job) {
            if (!rt.isJob(job)) {
                throw new UsageError("unknown job '" + job + "'; known jobs: " + String.join(", ", rt.jobIds()));
            }
        }
    }

    @Command(name = "run-now", description = "Run a job once, now, in this process, and exit with its status.")
    static final class RunNow extends Base {
        @Parameters(paramLabel = "JOB", description = "job id")
        String job;

        @Override
        public Integer call() {
            try (BackrouteService s = startService()) {
                JobRuntime rt = s.runtime();
                requireJob(rt, job);
                RunRecord r = rt.runNow(job, "run-now");
                if (json) {
                    out().println(Json.write(r));
                } else {
                    printRun(rt, r);
                }
                return ExitCodes.of(r.status());
            }
        }

        private void printRun(JobRuntime rt, RunRecord r) {
            PrintWriter o = out();
            o.printf("Run %s: %s in %s, plain %s, stored %s%n", r.runId(), r.status(),
                    Units.duration(Duration.ofMillis(Math.max(0, r.durationMs()))), Units.bytes(r.plainBytes()),
                    Units.bytes(r.storedBytes()));
            if (r.error() != null) {
                o.println("  error: " + r.error());
            }
            List<String> restore = new ArrayList<>();
            for (DestinationResult d : r.destinations()) {
                o.printf("  %-12s %-6s %s%n", d.destination(), d.status(), d.ok() ? Units.bytes(d.bytes()) : d.error());
                Destination dest = rt.destinations().get(d.destination());
                for (String key : d.artifacts()) {
                    String where = dest instanceof LocalDestination l ? l.root().resolve(key).toString()
                            : dest.location() + "/" + key;
                    o.println("    " + where);
                    if (restore.isEmpty() || dest instanceof LocalDestination) {
                        restoreHint(dest, key, where).ifPresent(restore::add);
                    }
                }
            }
            if (!restore.isEmpty()) {
                o.println();
                o.println("Restore with standard tools (gpg, zstd, sqlite3, tar):");
                o.println("  export GNUPGHOME=$(mktemp -d)");
                Path demoSecret = Path.of(rt.config().get("backroute.demo.keys-dir", "data/demo-keys")).resolve("demo-secret.asc");
                if ("demo".equals(r.job()) && Files.exists(demoSecret)) {
                    o.println("  gpg --batch --import " + demoSecret + "      # demo key; use your own private key for real jobs");
                } else {
                    o.println("  gpg --batch --import YOUR-PRIVATE-KEY.asc");
                }
                restore.stream().distinct().forEach(c -> o.println("  " + c));
            }
            o.flush();
        }

        private java.util.Optional<String> restoreHint(Destination dest, String key, String where) {
            try (InputStream in = dest.open(key + Manifest.SUFFIX)) {
                Manifest m = ManifestJson.read(in, key + Manifest.SUFFIX);
                return java.util.Optional.ofNullable(m.restoreHint()).map(h -> h.replace(m.artifact(), where));
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }
    }

    @Command(name = "jobs", description = "List jobs: id, enabled, schedule, next fire time, last status.")
    static final class Jobs extends Base {
        @Override
        public Integer call() {
            try (BackrouteService s = startService()) {
                JobRuntime rt = s.runtime();
                List<Map<String, Object>> rows = new ArrayList<>();
                for (String job : rt.jobIds()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("job", job);
                    row.put("enabled", s.camel().getRouteController().getRouteStatus(job).isStarted());
                    row.put("schedule", rt.schedule(job));
                    row.put("nextFire", rt.nextFireTime(job).map(Object::toString).orElse(null));
                    var last = rt.catalog().lastRun(job);
                    row.put("lastStatus", last.map(l -> l.status().name()).orElse("NONE"));
                    row.put("lastRun", last.map(l -> l.start().toString()).orElse(null));
                    row.put("lastGood", rt.catalog().lastGood(job).map(l -> l.start().toString()).orElse(null));
                    rows.add(row);
                }
                if (json) {
                    out().println(Json.write(rows));
                } else {
                    out().printf("%-20s %-8s %-22s %-22s %-8s %s%n", "JOB", "ENABLED", "SCHEDULE", "NEXT FIRE", "LAST", "LAST GOOD");
                    for (Map<String, Object> row : rows) {
                        out().printf("%-20s %-8s %-22s %-22s %-8s %s%n", row.get("job"), row.get("enabled"), row.get("schedule"),
                                orDash(row.get("nextFire")), row.get("lastStatus"), orDash(row.get("lastGood")));
                    }
                }
                out().flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "history", description = "Show the last runs of a job, newest first.")
    static final class History extends Base {
        @Parameters(paramLabel = "JOB", description = "job id")
        String job;

        @Option(names = {"-n", "--limit"}, defaultValue = "20", description = "how many runs (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new UsageError("--limit must be at least 1");
            }
            try (BackrouteService s = startService()) {
                JobRuntime rt = s.runtime();
                requireJob(rt, job);
                List<RunRecord> runs = rt.catalog().history(job, limit);
                if (json) {
                    out().println(Json.write(runs));
                } else {
                    out().printf("%-36s %-8s %-10s %-10s %-10s %s%n", "RUN", "STATUS", "TRIGGER", "DURATION", "STORED", "ERROR");
                    for (RunRecord r : runs) {
                        out().printf("%-36s %-8s %-10s %-10s %-10s %s%n", r.runId(), r.status(), r.trigger(),
                                r.durationMs() < 0 ? "-" : Units.duration(Duration.ofMillis(r.durationMs())),
                                Units.bytes(r.storedBytes()), r.error() == null ? "" : r.error());
                    }
                }
                out().flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    private static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"backroute " + BackrouteService.version()};
        }
    }
}
