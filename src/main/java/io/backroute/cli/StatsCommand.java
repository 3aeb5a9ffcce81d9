package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.catalog.SqliteRunCatalog;
import io.backroute.pipeline.Units;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stats [--since 30d]}: runs per status, success rate and bytes stored per destination over a window, from the run catalog. */
@Command(name = "stats", description = "Runs per status, success rate and bytes stored per destination over a window (from the run catalog).")
final class StatsCommand extends BackrouteCli.Base {

    @Option(names = "--since", defaultValue = "30d", paramLabel = "DURATION",
            description = "window ending now: 12h, 7d, 30d ... (default ${DEFAULT-VALUE})")
    String since;

    @Override
    public Integer call() {
        Duration window;
        try {
            window = Units.parseDuration(since);
        } catch (RuntimeException e) {
            throw new BackrouteCli.UsageError("--since '" + since + "' is not a duration: use e.g. 12h, 7d, 30d");
        }
        if (window.isNegative() || window.isZero()) {
            throw new BackrouteCli.UsageError("--since must be positive");
        }
        try (BackrouteService s = startService()) {
            if (!(s.runtime().catalog() instanceof SqliteRunCatalog catalog)) {
                throw new IllegalStateException("stats needs the SQLite run catalog");
            }
            Instant to = Instant.now();
            Instant from = to.minus(window);
            TreeSet<String> jobs = new TreeSet<>(catalog.jobs());
            jobs.addAll(s.runtime().jobIds());
            Map<String, Object> jobStats = new LinkedHashMap<>();
            Map<RunStatus, Long> total = zero();
            Map<String, Long> bytesPerDestination = new TreeMap<>();
            Map<String, Long> failuresPerDestination = new TreeMap<>();
            for (String job : jobs) {
                List<RunRecord> runs = catalog.runsBetween(job, from, to.plusMillis(1));
                Map<RunStatus, Long> counts = zero();
                long stored = 0;
                for (RunRecord r : runs) {
                    counts.merge(r.status(), 1L, Long::sum);
                    total.merge(r.status(), 1L, Long::sum);
                    for (DestinationResult d : r.destinations()) {
                        if (d.ok()) {
                            bytesPerDestination.merge(d.destination(), d.bytes(), Long::sum);
                            stored += d.bytes();
                        } else {
                            failuresPerDestination.merge(d.destination(), 1L, Long::sum);
                        }
                    }
                }
                Map<String, Object> js = new LinkedHashMap<>();
                js.put("runs", counts);
                js.put("successRate", successRate(counts));
                js.put("storedBytes", stored);
                jobStats.put(job, js);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("from", from.toString());
            result.put("to", to.toString());
            result.put("runs", total);
            result.put("successRate", successRate(total));
            result.put("jobs", jobStats);
            result.put("storedBytesPerDestination", bytesPerDestination);
            result.put("failuresPerDestination", failuresPerDestination);
            if (json) {
                out().println(Json.write(result));
            } else {
                out().printf("Runs since %s (%s):%n", from.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), since);
                String fmt = "%-18s %8s %8s %8s %8s %8s %9s %12s%n";
                out().printf(fmt, "JOB", "SUCCESS", "PARTIAL", "FAILED", "SKIPPED", "RUNNING", "SUCCESS%", "STORED");
                jobStats.forEach((job, v) -> {
                    @SuppressWarnings("unchecked") Map<String, Object> js = (Map<String, Object>) v;
                    @SuppressWarnings("unchecked") Map<RunStatus, Long> c = (Map<RunStatus, Long>) js.get("runs");
                    out().printf(fmt, job, c.get(RunStatus.SUCCESS), c.get(RunStatus.PARTIAL), c.get(RunStatus.FAILED),
                            c.get(RunStatus.SKIPPED), c.get(RunStatus.RUNNING), pct(js.get("successRate")),
                            Units.bytes((Long) js.get("storedBytes")));
                });
                out().printf(fmt, "ALL", total.get(RunStatus.SUCCESS), total.get(RunStatus.PARTIAL), total.get(RunStatus.FAILED),
                        total.get(RunStatus.SKIPPED), total.get(RunStatus.RUNNING), pct(successRate(total)), "");
                out().println();
                out().printf("%-18s %12s %9s%n", "DESTINATION", "STORED", "FAILURES");
                TreeSet<String> dests = new TreeSet<>(bytesPerDestination.keySet());
                dests.addAll(failuresPerDestination.keySet());
                for (String d : dests) {
                    out().printf("%-18s %12s %9d%n", d, Units.bytes(bytesPerDestination.getOrDefault(d, 0L)),
                            failuresPerDestination.getOrDefault(d, 0L));
                }
            }
            out().flush();
            return ExitCodes.SUCCESS;
        }
    }

    private static Map<RunStatus, Long> zero() {
        Map<RunStatus, Long> m = new EnumMap<>(RunStatus.class);
        for (RunStatus s : RunStatus.values()) {
            m.put(s, 0L);
        }
        return m;
    }

    /** SUCCESS / (SUCCESS + PARTIAL + FAILED); SKIPPED and RUNNING are not outcomes. Null when there is none. */
    static Double successRate(Map<RunStatus, Long> c) {
        long finished = c.get(RunStatus.SUCCESS) + c.get(RunStatus.PARTIAL) + c.get(RunStatus.FAILED);
        return finished == 0 ? null : (double) c.get(RunStatus.SUCCESS) / finished;
    }

    private static String pct(Object rate) {
        return rate == null ? "-" : String.format("%.1f%%", (Double) rate * 100);
    }
}
