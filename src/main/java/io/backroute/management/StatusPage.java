package io.backroute.management;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.pipeline.Units;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Renders the read-only status page served at {@code /status}: every job with its schedule, next fire, last
 * status, last success, freshness and per-destination status, then the latest runs that ended with an error.
 * Plain HTML that refreshes itself; every value is escaped.
 */
public final class StatusPage {

    /** Runs with errors shown per job at most. */
    static final int ERRORS_PER_JOB = 5;

    private final OpsView view;

    public StatusPage(OpsView view) {
        this.view = view;
    }

    /** The whole page. */
    public String render() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<JobView> jobs = view.jobs();
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"30\">")
                .append("<title>Backroute status</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}")
                .append("table{border-collapse:collapse;margin-bottom:2em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append("th{background:#f0f0f0}.ok{background:#d8f5d8}.bad{background:#f8c8c8;color:#800}")
                .append(".warn{background:#fde9b8}.muted{color:#888}code{font-size:90%}")
                .append("</style></head><body>\n");
        h.append("<h1>Backroute status</h1>\n<p class=\"muted\">version ").append(esc(BackrouteService.version()))
                .append(" &middot; generated ").append(esc(now.toString())).append(" &middot; refreshes every 30 s</p>\n");
        h.append("<table id=\"jobs\"><thead><tr><th>Job</th><th>Schedule</th><th>Next fire</th><th>Last status</th>")
                .append("<th>Last run</th><th>Last success</th><th>Freshness</th><th>Destinations</th></tr></thead><tbody>\n");
        for (JobView j : jobs) {
            h.append("<tr class=\"job\" id=\"job-").append(esc(j.job())).append("\" data-job=\"").append(esc(j.job()))
                    .append("\" data-status=\"").append(esc(j.lastStatus())).append("\" data-freshness=\"")
                    .append(esc(j.freshnessState())).append("\">");
            cell(h, null, j.job() + (j.paused() ? " (paused)" : j.enabled() ? "" : " (disabled)"));
            cell(h, null, j.schedule() + (j.timeZone().isEmpty() ? "" : " " + j.timeZone()));
            cell(h, j.paused() ? "warn" : null, j.paused() ? "paused" : j.nextFireTime() == null ? "-" : t(j.nextFireTime()));
            cell(h, statusClass(j.lastStatus()), j.lastStatus() + (j.consecutiveFailures() > 1 ? " (" + j.consecutiveFailures() + " in a row)" : ""));
            cell(h, null, j.lastRun() == null ? "-" : t(j.lastRun().start()) + " (" + duration(j.lastRun()) + ", "
                    + Units.bytes(j.lastRun().storedBytes()) + ")");
            cell(h, null, j.lastSuccess() == null ? "never" : t(j.lastSuccess().end()) + " (" + ago(j.lastSuccess().end(), now) + " ago)");
            cell(h, j.stale() ? "bad" : j.freshness() == null ? null : "ok", freshness(j));
            h.append("<td>");
            j.destinationStatus().forEach((d, s) -> h.append("<span class=\"").append(statusClass(s)).append("\">")
                    .append(esc(d)).append('=').append(esc(s)).append("</span> "));
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        h.append("<h2>Latest runs with errors</h2>\n<table id=\"errors\"><thead><tr><th>Run</th><th>Status</th><th>Started</th>")
                .append("<th>Error</th></tr></thead><tbody>\n");
        List<RunRecord> errors = new ArrayList<>();
        for (JobView j : jobs) {
            view.runtime().catalog().history(j.job(), 50).stream()
                    .filter(r -> r.error() != null && r.status() != RunStatus.SUCCESS).limit(ERRORS_PER_JOB).forEach(errors::add);
        }
        errors.sort(Comparator.comparing(RunRecord::start).reversed());
        if (errors.isEmpty()) {
            h.append("<tr><td colspan=\"4\" class=\"muted\">none</td></tr>\n");
        }
        for (RunRecord r : errors) {
            h.append("<tr class=\"error-run\" data-job=\"").append(esc(r.job())).append("\">");
            cell(h, null, r.runId());
            cell(h, statusClass(r.status().name()), r.status().name());
            cell(h, null, t(r.start()));
            cell(h, null, r.error());
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n</body></html>\n");
        return h.toString();
    }

    private static String freshness(JobView j) {
        Freshness f = j.freshness();
        if (f == null) {
            return "unknown";
        }
        StringBuilder s = new StringBuilder(f.state());
        if (f.age() != null) {
            s.append(", newest good ").append(human(f.age())).append(" old");
        }
        if (f.threshold() != null) {
            s.append(" (max ").append(human(f.threshold())).append(')');
        }
        return s.toString();
    }

    private static String t(Instant i) {
        return i == null ? "-" : i.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String duration(RunRecord r) {
        return r.durationMs() < 0 ? "running" : Units.duration(Duration.ofMillis(r.durationMs()));
    }

    private static String ago(Instant t, Instant now) {
        return t == null ? "?" : human(Duration.between(t, now).isNegative() ? Duration.ZERO : Duration.between(t, now));
    }

    /** Ages read at a glance: "3d 4h", "5h 12m", else seconds-level detail. */
    static String human(Duration d) {
        if (d.toDays() > 0) {
            return d.toDays() + "d " + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        return Units.duration(d);
    }

    private static String statusClass(String s) {
        return switch (s) {
            case "SUCCESS", "OK" -> "ok";
            case "FAILED" -> "bad";
            case "PARTIAL", "SKIPPED", "RUNNING" -> "warn";
            default -> "muted";
        };
    }

    private static void cell(StringBuilder h, String cls, String text) {
        h.append(cls == null ? "<td>" : "<td class=\"" + cls + "\">").append(esc(text)).append("</td>");
    }

    /** HTML-escapes text for element content and double-quoted attributes. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
