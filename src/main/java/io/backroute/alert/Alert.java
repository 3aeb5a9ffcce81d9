package io.backroute.alert;

import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One alert as every channel renders it: what happened (kind, job, run, status, error), what is known around it
 * (destinations, bytes, duration, last success, next run, facts) and what to do. Never holds a secret.
 *
 * @param kind         what the alert is about
 * @param job          job id, null for service-level alerts (startup, disk)
 * @param runId        run id when the alert is about a run, else null
 * @param status       run status or finding name
 * @param time         when the alert was raised
 * @param host         host name of the Backroute service
 * @param summary      one line: the headline of the alert
 * @param error        error text (with stderr tail) when there is one, else null
 * @param destinations per-destination results of the run (empty when not about a run)
 * @param plainBytes   bytes of the plain dump(s), -1 when unknown
 * @param storedBytes  bytes stored per destination, -1 when unknown
 * @param durationMs   run duration, -1 when unknown
 * @param lastSuccess  end of the newest good run of the job, null when none
 * @param nextRun      next scheduled run of the job, null when none
 * @param facts        further named values (age, threshold, path, free bytes...), in display order
 * @param advice       what the operator should do
 */
public record Alert(AlertKind kind, String job, String runId, String status, Instant time, String host,
                    String summary, String error, List<DestinationResult> destinations,
                    long plainBytes, long storedBytes, long durationMs,
                    Instant lastSuccess, Instant nextRun, Map<String, String> facts, String advice) {

    private static final Pattern NUMBERS = Pattern.compile("\\d+");

    public Alert {
        destinations = destinations == null ? List.of() : List.copyOf(destinations);
        facts = facts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        advice = advice == null ? kind.advice() : advice;
    }

    /** An alert about a finished run, with the job's context (last success, next run). */
    public static Alert ofRun(AlertKind kind, RunRecord r, Instant time, String host, Instant lastSuccess, Instant nextRun) {
        String summary = switch (kind) {
            case FAILED, PARTIAL, SKIPPED -> kind.title() + (r.error() == null ? "" : ": " + firstLine(r.error()));
            default -> kind.title();
        };
        return new Alert(kind, r.job(), r.runId(), r.status().name(), time, host, summary, r.error(), r.destinations(),
                r.plainBytes(), r.storedBytes(), r.durationMs(), lastSuccess, nextRun, Map.of(),
                kind.advice().replace("<job>", r.job()));
    }

    /** An alert about a condition (watchdog finding, startup problem) rather than one run. */
    public static Alert ofFinding(AlertKind kind, String job, Instant time, String host, String summary, String error,
                                  Instant lastSuccess, Instant nextRun, Map<String, String> facts) {
        String advice = job == null ? kind.advice() : kind.advice().replace("<job>", job);
        return new Alert(kind, job, null, kind.name(), time, host, summary, error, List.of(), -1, -1, -1,
                lastSuccess, nextRun, facts, advice);
    }

    /** Mail subject: severity and job first, so inbox rules and a glance at the list both work. */
    public String subject() {
        String who = job == null ? "" : " " + job;
        String line = summary.length() > 140 ? summary.substring(0, 137) + "..." : summary;
        return "[backroute] " + kind.name() + who + ": " + line;
    }

    /**
     * What makes two alerts "the same failure": kind, job and the error with numbers blanked, because retries,
     * byte counts and timestamps in an otherwise identical message must not defeat the dedupe window.
     */
    public String dedupeKey() {
        String e = error == null ? "" : error;
        if (runId != null) {
            e = e.replace(runId, "<run>");
        }
        return kind + "|" + (job == null ? "" : job) + "|" + NUMBERS.matcher(e).replaceAll("#");
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
