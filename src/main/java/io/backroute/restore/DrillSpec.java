package io.backroute.restore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's restore drill as declared by its job properties {@code jobs.<job>.drill.*}: schedule, destination, key,
 * scratch target and SQL assertions.
 *
 * @param job                 job id
 * @param cron                Quartz cron of the scheduled drill, null when it runs only on demand
 * @param destination         destination read from, null for the job's first destination
 * @param keyFile             OpenPGP secret key file on the drill host
 * @param passphraseFile      file holding the key's passphrase, or null
 * @param target              scratch database name for PostgreSQL / MariaDB artifacts
 * @param dbUrl               {@code postgresql://user@host:port} or {@code mariadb://user@host:port}, or null
 * @param dbPassword          database password (from {{env:...}}), or null
 * @param assertions          SQL assertions, in key order
 * @param rowCounts           compare restored row counts with the manifest's
 * @param rowTolerancePercent allowed deviation from the manifest's row estimates (PostgreSQL, MariaDB)
 */
public record DrillSpec(String job, String cron, String destination, Path keyFile, Path passphraseFile, String target,
                        String dbUrl, String dbPassword, List<Assertion> assertions, boolean rowCounts,
                        double rowTolerancePercent) {

    private static final Pattern ASSERT_KEY = Pattern.compile("assert\\.([A-Za-z0-9_-]+)\\.(sql|expect|label)");
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_]{1,63}");
    private static final List<String> KNOWN = List.of("cron", "destination", "key", "passphrase-file", "target",
            "db-url", "db-password", "row-counts", "row-tolerance-percent");

    /**
     * One SQL assertion: the first column of the first row of {@code sql} must equal {@code expect}.
     *
     * @param label the unit label of the database artifact it runs against, or null for the first one
     */
    public record Assertion(String name, String sql, String expect, String label) { }

    public DrillSpec {
        assertions = List.copyOf(assertions);
    }

    /** True when the job declares a drill (any {@code jobs.<job>.drill.*} property). */
    public static boolean declared(Map<String, String> props) {
        return !props.isEmpty();
    }

    /**
     * Reads the drill of a job from its properties (prefix {@code jobs.<job>.drill.} removed, placeholders resolved).
     *
     * @return empty when the job declares no drill
     * @throws IllegalArgumentException listing every problem, one per line
     */
    public static Optional<DrillSpec> parse(String job, Map<String, String> props) {
        if (!declared(props)) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        String prefix = "jobs." + job + ".drill.";
        Map<String, String[]> asserts = new TreeMap<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            Matcher m = ASSERT_KEY.matcher(e.getKey());
            if (m.matches()) {
                String[] a = asserts.computeIfAbsent(m.group(1), n -> new String[3]);
                a[switch (m.group(2)) { case "sql" -> 0; case "expect" -> 1; default -> 2; }] = e.getValue();
            } else if (!KNOWN.contains(e.getKey())) {
                problems.add(prefix + e.getKey() + " is not a drill property; known: " + String.join(", ", KNOWN)
                        + ", assert.<n>.sql, assert.<n>.expect, assert.<n>.label");
            }
        }
        List<Assertion> assertions = new ArrayList<>();
        asserts.forEach((n, a) -> {
            if (blank(a[0]) || a[1] == null) {
                problems.add(prefix + "assert." + n + " needs both .sql and .expect");
            } else {
                assertions.add(new Assertion(n, a[0].strip(), a[1].strip(), blank(a[2]) ? null : a[2].strip()));
            }
        });
        String key = props.get("key");
        if (blank(key)) {
            problems.add(prefix + "key is missing: the OpenPGP secret key file on the drill host that decrypts the artifacts");
        }
        String target = props.getOrDefault("target", "").strip();
        if (target.isEmpty()) {
            target = job.replace('-', '_').toLowerCase(Locale.ROOT) + "_drill";
        }
        if (!DB_NAME.matcher(target).matches()) {
            problems.add(prefix + "target '" + target + "' must be 1-63 characters of [A-Za-z0-9_]");
        } else if (!target.toLowerCase(Locale.ROOT).contains("drill")) {
            // the scratch database is dropped after every drill (and when left over by a crashed one): the name
            // rule keeps a production database from ever being mistaken for it
            problems.add(prefix + "target '" + target + "' must contain 'drill': the scratch database is dropped after each drill");
        }
        String dbUrl = props.get("db-url");
        if (!blank(dbUrl)) {
            String lower = dbUrl.toLowerCase(Locale.ROOT);
            if (!(lower.startsWith("postgresql://") || lower.startsWith("postgres://") || lower.startsWith("mariadb://")
                    || lower.startsWith("mysql://"))) {
                problems.add(prefix + "db-url must be postgresql://user@host:port or mariadb://user@host:port");
            } else if (dbUrl.contains("@") && dbUrl.replaceFirst("^[a-z]+://", "").replaceFirst("@.*", "").contains(":")) {
                problems.add(prefix + "db-url must not contain a password; set " + prefix + "db-password={{env:NAME}}");
            } else if (dbUrl.replaceFirst("^[a-z]+://", "").replaceFirst("/$", "").contains("/")) {
                problems.add(prefix + "db-url names no database (the scratch database is " + prefix + "target)");
            }
        }
        String cron = props.get("cron");
        if (!blank(cron)) {
            try {
                new org.quartz.CronExpression(cron.replace('+', ' '));
            } catch (java.text.ParseException e) {
                problems.add(prefix + "cron '" + cron + "' is invalid: " + e.getMessage());
            }
        }
        double tolerance = 50;
        try {
            tolerance = Double.parseDouble(props.getOrDefault("row-tolerance-percent", "50"));
            if (tolerance < 0) {
                problems.add(prefix + "row-tolerance-percent must not be negative");
            }
        } catch (NumberFormatException e) {
            problems.add(prefix + "row-tolerance-percent '" + props.get("row-tolerance-percent") + "' is not a number");
        }
        String rowCounts = props.getOrDefault("row-counts", "true").strip();
        if (!rowCounts.equals("true") && !rowCounts.equals("false")) {
            problems.add(prefix + "row-counts must be true or false");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return Optional.of(new DrillSpec(job, blank(cron) ? null : cron.replace('+', ' '),
                blank(props.get("destination")) ? null : props.get("destination").strip(), Path.of(key.strip()),
                blank(props.get("passphrase-file")) ? null : Path.of(props.get("passphrase-file").strip()), target,
                blank(dbUrl) ? null : dbUrl.strip().replaceFirst("/$", ""),
                blank(props.get("db-password")) ? null : props.get("db-password"), assertions,
                Boolean.parseBoolean(rowCounts), tolerance));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        return "DrillSpec[job=" + job + ", cron=" + cron + ", destination=" + destination + ", key=" + keyFile
                + ", target=" + target + ", dbUrl=" + dbUrl + ", dbPassword=" + (dbPassword == null ? "none" : "********")
                + ", assertions=" + assertions.size() + "]";
    }
}
