package io.backroute.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.backroute.catalog.DestinationResult;
import io.backroute.pipeline.Units;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders an alert as plain text and HTML (the two parts of the mail) and as JSON (for webhooks and other endpoints). */
public final class AlertRenderer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AlertRenderer() { }

    /** The lines every format shows, label to value, skipping what does not apply to this alert. */
    static List<String[]> overview(Alert a) {
        List<String[]> rows = new ArrayList<>();
        if (a.job() != null) {
            rows.add(new String[] {"Job", a.job()});
        }
        if (a.runId() != null) {
            rows.add(new String[] {"Run", a.runId()});
        }
        rows.add(new String[] {"Status", a.status()});
        rows.add(new String[] {"Severity", a.kind().severity().name()});
        rows.add(new String[] {"Host", a.host()});
        rows.add(new String[] {"Time", a.time().toString()});
        if (a.durationMs() >= 0) {
            rows.add(new String[] {"Duration", Units.duration(Duration.ofMillis(a.durationMs()))});
        }
        if (a.storedBytes() >= 0) {
            rows.add(new String[] {"Bytes", Units.bytes(a.storedBytes()) + " stored, " + Units.bytes(a.plainBytes()) + " plain"});
        }
        if (a.job() != null) {
            rows.add(new String[] {"Last success", a.lastSuccess() == null ? "never" : a.lastSuccess().toString()});
            rows.add(new String[] {"Next run", a.nextRun() == null ? "none scheduled" : a.nextRun().toString()});
        }
        a.facts().forEach((k, v) -> rows.add(new String[] {k, v}));
        return rows;
    }

    public static String text(Alert a) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.kind().name()).append(": ").append(a.summary()).append("\n\n");
        List<String[]> rows = overview(a);
        int w = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
        for (String[] r : rows) {
            sb.append(pad(r[0] + ":", w)).append(r[1]).append('\n');
        }
        if (a.error() != null && !a.error().isBlank()) {
            sb.append("\nError:\n");
            for (String line : a.error().split("\n", -1)) {
                sb.append("  ").append(line).append('\n');
            }
        }
        if (!a.destinations().isEmpty()) {
            sb.append("\nDestinations:\n");
            int dw = a.destinations().stream().mapToInt(d -> d.destination().length()).max().orElse(0) + 2;
            for (DestinationResult d : a.destinations()) {
                sb.append("  ").append(pad(d.destination(), dw)).append(pad(d.status(), 8))
                        .append(pad(Units.bytes(d.bytes()), 12)).append(Units.duration(Duration.ofMillis(d.durationMs())));
                if (d.error() != null) {
                    sb.append("  ").append(d.error());
                }
                sb.append('\n');
            }
        }
        sb.append("\nWhat to do:\n  ").append(a.advice()).append('\n');
        return sb.toString();
    }

    public static String html(Alert a) {
        StringBuilder sb = new StringBuilder();
        String color = switch (a.kind().severity()) {
            case CRITICAL -> "#b00020";
            case WARNING -> "#b26a00";
            case INFO -> "#1b5e20";
        };
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>").append(esc(a.subject())).append("</title></head>\n");
        sb.append("<body style=\"font-family:sans-serif\">\n");
        sb.append("<h2 style=\"color:").append(color).append("\">").append(esc(a.kind().name())).append(": ")
                .append(esc(a.summary())).append("</h2>\n");
        sb.append("<table>\n");
        for (String[] r : overview(a)) {
            sb.append("<tr><th align=\"left\">").append(esc(r[0])).append("</th><td>").append(esc(r[1])).append("</td></tr>\n");
        }
        sb.append("</table>\n");
        if (a.error() != null && !a.error().isBlank()) {
            sb.append("<h3>Error</h3>\n<pre>").append(esc(a.error())).append("</pre>\n");
        }
        if (!a.destinations().isEmpty()) {
            sb.append("<h3>Destinations</h3>\n<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">\n");
            sb.append("<tr><th>Destination</th><th>Status</th><th>Bytes</th><th>Duration</th><th>Error</th></tr>\n");
            for (DestinationResult d : a.destinations()) {
                sb.append("<tr><td>").append(esc(d.destination())).append("</td><td>").append(d.status())
                        .append("</td><td>").append(esc(Units.bytes(d.bytes()))).append("</td><td>")
                        .append(esc(Units.duration(Duration.ofMillis(d.durationMs())))).append("</td><td>")
                        .append(d.error() == null ? "" : esc(d.error())).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        sb.append("<h3>What to do</h3>\n<p>").append(esc(a.advice())).append("</p>\n</body></html>\n");
        return sb.toString();
    }

    /** JSON for endpoints: every field always present (null when unknown) so receivers can rely on the shape. */
    public static String json(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.kind().name());
        m.put("severity", a.kind().severity().name());
        m.put("subject", a.subject());
        m.put("summary", a.summary());
        m.put("job", a.job());
        m.put("runId", a.runId());
        m.put("status", a.status());
        m.put("time", a.time().toString());
        m.put("host", a.host());
        m.put("error", a.error());
        m.put("plainBytes", a.plainBytes() < 0 ? null : a.plainBytes());
        m.put("storedBytes", a.storedBytes() < 0 ? null : a.storedBytes());
        m.put("durationMs", a.durationMs() < 0 ? null : a.durationMs());
        m.put("lastSuccess", iso(a.lastSuccess()));
        m.put("nextRun", iso(a.nextRun()));
        List<Map<String, Object>> ds = new ArrayList<>();
        for (DestinationResult d : a.destinations()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("destination", d.destination());
            dm.put("status", d.status());
            dm.put("bytes", d.bytes());
            dm.put("durationMs", d.durationMs());
            dm.put("artifacts", d.artifacts() == null ? List.of() : d.artifacts());
            dm.put("error", d.error());
            ds.add(dm);
        }
        m.put("destinations", ds);
        m.put("facts", a.facts());
        m.put("advice", a.advice());
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render alert as JSON: " + e.getMessage(), e);
        }
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
