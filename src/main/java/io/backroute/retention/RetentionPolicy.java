package io.backroute.retention;

import io.backroute.catalog.RunStatus;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Which artifacts of a job to keep, with restic {@code forget} semantics evaluated in the job's time zone.
 * <p>
 * Counts: {@code 0} disables a rule, {@link #ALL} keeps every bucket. Each hourly/daily/weekly (ISO)/monthly/yearly
 * bucket that has artifacts keeps its newest; a count applies to the newest buckets that have one, and when a rule
 * runs out of artifacts before its count is reached, the oldest artifact is kept too ("oldest monthly", restic 0.17).
 * keep-within is measured back from the newest artifact that is not in the future (so stopped backups do not age
 * every artifact out); max-count then caps the kept artifacts to the newest N ("whichever first").
 *
 * @param last       keep-last
 * @param hourly     keep-hourly
 * @param daily      keep-daily
 * @param weekly     keep-weekly
 * @param monthly    keep-monthly
 * @param yearly     keep-yearly
 * @param within     keep-within, or null
 * @param maxCount   max-count: at most this many artifacts stay kept by the policy, 0 for no cap
 * @param minKeep    min-keep: safety rail, never fewer artifacts than this (default 1)
 * @param skipWhenLatestRunFailed skip-when-latest-run-failed: safety rail, no pruning after a failed run (default true)
 * @param zone       time-zone the buckets are evaluated in
 */
public record RetentionPolicy(int last, int hourly, int daily, int weekly, int monthly, int yearly, KeepWithin within,
                              int maxCount, int minKeep, boolean skipWhenLatestRunFailed, ZoneId zone) {

    /** Count meaning "every bucket". */
    public static final int ALL = -1;

    public static final String KEEP_LAST = "keep-last";
    public static final String KEEP_HOURLY = "keep-hourly";
    public static final String KEEP_DAILY = "keep-daily";
    public static final String KEEP_WEEKLY = "keep-weekly";
    public static final String KEEP_MONTHLY = "keep-monthly";
    public static final String KEEP_YEARLY = "keep-yearly";
    public static final String KEEP_WITHIN = "keep-within";
    public static final String MAX_COUNT = "max-count";
    public static final String MIN_KEEP = "min-keep";
    public static final String SKIP_WHEN_LATEST_RUN_FAILED = "skip-when-latest-run-failed";
    public static final String TIME_ZONE = "time-zone";
    public static final Set<String> KEYS = Set.of(KEEP_LAST, KEEP_HOURLY, KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY,
            KEEP_YEARLY, KEEP_WITHIN, MAX_COUNT, MIN_KEEP, SKIP_WHEN_LATEST_RUN_FAILED, TIME_ZONE);

    private static final List<String> COUNT_KEYS =
            List.of(KEEP_LAST, KEEP_HOURLY, KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, KEEP_YEARLY);

    /** Newest first; equal times ordered by key so that every evaluation is deterministic. */
    public static final Comparator<Candidate> NEWEST_FIRST = Comparator.comparing(Candidate::time)
            .thenComparing(Candidate::key).reversed();

    public RetentionPolicy {
        List<String> problems = problems(last, hourly, daily, weekly, monthly, yearly, within, maxCount, minKeep);
        if (zone == null) {
            problems.add(TIME_ZONE + " is required");
        }
        if (!problems.isEmpty()) {
            throw new InvalidRetentionPolicyException(problems);
        }
    }

    /**
     * Parses properties keyed {@code keep-last}, {@code keep-hourly}, {@code keep-daily}, {@code keep-weekly},
     * {@code keep-monthly}, {@code keep-yearly} (a count, or {@code all}), {@code keep-within} (e.g. 30d, 12h, 1y2m),
     * {@code max-count}, {@code min-keep}, {@code skip-when-latest-run-failed}, {@code time-zone} (default: the
     * system zone). Every problem is collected into one {@link InvalidRetentionPolicyException}.
     */
    public static RetentionPolicy parse(Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        RetentionPolicy policy = parse(properties, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRetentionPolicyException(problems);
        }
        return policy;
    }

    /** The job's properties with a destination's overrides applied key by key, then parsed. */
    public static RetentionPolicy parse(Map<String, String> job, Map<String, String> destinationOverrides) {
        Map<String, String> merged = new HashMap<>(job);
        merged.putAll(destinationOverrides);
        return parse(merged);
    }

    /** Every problem in {@code properties}, empty when they make a valid policy (for startup validation). */
    public static List<String> validate(Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        parse(properties, problems);
        return problems;
    }

    private static RetentionPolicy parse(Map<String, String> properties, List<String> problems) {
        for (String key : new TreeSet<>(properties.keySet())) {
            if (!KEYS.contains(key)) {
                problems.add("unknown retention key '" + key + "'; known keys: " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        int[] counts = new int[COUNT_KEYS.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = count(properties, COUNT_KEYS.get(i), true, 0, problems);
        }
        KeepWithin within = null;
        String withinText = value(properties, KEEP_WITHIN);
        if (withinText != null) {
            try {
                within = KeepWithin.parse(withinText);
            } catch (IllegalArgumentException e) {
                problems.add(KEEP_WITHIN + ": " + e.getMessage());
            }
        }
        int maxCount = count(properties, MAX_COUNT, false, 0, problems);
        int minKeep = count(properties, MIN_KEEP, false, 1, problems);
        boolean skip = true;
        String skipText = value(properties, SKIP_WHEN_LATEST_RUN_FAILED);
        if (skipText != null) {
            if (skipText.equalsIgnoreCase("true") || skipText.equalsIgnoreCase("false")) {
                skip = Boolean.parseBoolean(skipText);
            } else {
                problems.add(SKIP_WHEN_LATEST_RUN_FAILED + ": '" + skipText + "' is not true or false");
            }
        }
        ZoneId zone = ZoneId.systemDefault();
        String zoneText = value(properties, TIME_ZONE);
        if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                problems.add(TIME_ZONE + ": '" + zoneText + "' is not a time zone id like UTC or Europe/Paris");
            }
        }
        if (!problems.isEmpty()) {
            // value problems first; rule-combination problems only make sense once values parse
            return null;
        }
        problems.addAll(problems(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], within, maxCount, minKeep));
        if (!problems.isEmpty()) {
            return null;
        }
        return new RetentionPolicy(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], within,
                maxCount, minKeep, skip, zone);
    }

    private static List<String> problems(int last, int hourly, int daily, int weekly, int monthly, int yearly,
                                         KeepWithin within, int maxCount, int minKeep) {
        List<String> problems = new ArrayList<>();
        int[] counts = {last, hourly, daily, weekly, monthly, yearly};
        boolean anyRule = within != null;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < ALL) {
                problems.add(COUNT_KEYS.get(i) + " must be a count >= 0 or 'all', got " + counts[i]);
            }
            anyRule |= counts[i] != 0;
        }
        if (!anyRule) {
            problems.add("retention policy is empty: set at least one of " + String.join(", ", COUNT_KEYS) + ", "
                    + KEEP_WITHIN + " (an empty policy would remove every artifact)");
        }
        if (maxCount < 0) {
            problems.add(MAX_COUNT + " must be >= 1 (or absent), got " + maxCount);
        }
        if (minKeep < 1) {
            problems.add(MIN_KEEP + " must be >= 1, got " + minKeep);
        }
        if (maxCount > 0 && maxCount < minKeep) {
            problems.add(MAX_COUNT + " " + maxCount + " is below " + MIN_KEEP + " " + minKeep);
        }
        return problems;
    }

    private static String value(Map<String, String> properties, String key) {
        String v = properties.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static int count(Map<String, String> properties, String key, boolean allowAll, int absent,
                             List<String> problems) {
        String v = value(properties, key);
        if (v == null) {
            return absent;
        }
        if (allowAll && v.equalsIgnoreCase("all")) {
            return ALL;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0 || (n == 0 && !allowAll)) {
                problems.add(key + " must be " + (allowAll ? "a count >= 0 or 'all'" : "a count >= 1") + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(key + ": '" + v + "' is not a " + (allowAll ? "count or 'all'" : "count"));
            return absent;
        }
    }

    /**
     * Decides, for every candidate, keep or remove, newest first. Pure: no I/O, no clock; {@code now} only stops
     * artifacts stamped in the future from anchoring keep-within. Safety rails are a separate step
     * ({@link SafetyRails}).
     */
    public List<Decision> apply(List<Candidate> candidates, Instant now) {
        List<Candidate> list = new ArrayList<>(candidates);
        list.sort(NEWEST_FIRST);
        int n = list.size();
        Instant withinFrom = null;
        if (within != null) {
            Instant reference = list.stream().map(Candidate::time).filter(t -> !t.isAfter(now)).findFirst().orElse(now);
            withinFrom = within.before(reference, zone);
        }
        Rule[] rules = {
                new Rule("last " + (last == ALL ? "(all)" : last), "last", last, -1),
                new Rule("hourly", "oldest hourly", hourly, 0),
                new Rule("daily", "oldest daily", daily, 1),
                new Rule("weekly", "oldest weekly", weekly, 2),
                new Rule("monthly", "oldest monthly", monthly, 3),
                new Rule("yearly", "oldest yearly", yearly, 4),
        };
        List<Decision> decisions = new ArrayList<>(n);
        int keptCount = 0;
        for (int nr = 0; nr < n; nr++) {
            Candidate cur = list.get(nr);
            boolean oldest = nr == n - 1;
            List<String> reasons = new ArrayList<>();
            long[] keys = bucketKeys(cur.time());
            if (withinFrom != null && cur.time().isAfter(withinFrom)) {
                reasons.add("within " + within);
            }
            for (Rule rule : rules) {
                // keep-last gives every candidate its own bucket, like restic's "always" bucketer
                long bucket = rule.keyIndex < 0 ? nr : keys[rule.keyIndex];
                if (rule.remaining != 0 && (!rule.hasLast || bucket != rule.lastBucket || oldest)) {
                    reasons.add(rule.hasLast && bucket == rule.lastBucket ? rule.oldestReason : rule.reason);
                    rule.hasLast = true;
                    rule.lastBucket = bucket;
                    if (rule.remaining > 0) {
                        rule.remaining--;
                    }
                }
            }
            boolean keep = !reasons.isEmpty();
            if (keep && maxCount > 0 && ++keptCount > maxCount) {
                decisions.add(new Decision(cur, false, List.of("beyond max-count " + maxCount)));
            } else {
                decisions.add(new Decision(cur, keep, reasons));
            }
        }
        return decisions;
    }

    /**
     * What the retention step should do for {@code job}: the policy over that job's candidates, then the
     * {@link SafetyRails}; candidates of other jobs are kept untouched and do not count for the policy.
     *
     * @param latestRunStatus status of the job's latest run from the catalog, or null when it has none
     */
    public List<Decision> plan(String job, List<Candidate> candidates, Instant now, RunStatus latestRunStatus) {
        List<Candidate> own = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.job().equals(job)) {
                own.add(c);
            } else {
                decisions.add(new Decision(c, false, List.of()));
            }
        }
        decisions.addAll(apply(own, now));
        return SafetyRails.of(this).apply(job, decisions, latestRunStatus);
    }

    /**
     * Hour, day, ISO week, month and year bucket numbers (YYYYMMDDHH, YYYYMMDD, YYYYWW, YYYYMM, YYYY) in the
     * policy's zone. They never decrease as time increases, also across DST changes, so a bucket's artifacts are
     * contiguous in time order.
     */
    private long[] bucketKeys(Instant time) {
        ZonedDateTime t = time.atZone(zone);
        long month = t.getYear() * 100L + t.getMonthValue();
        long day = month * 100 + t.getDayOfMonth();
        return new long[] {day * 100 + t.getHour(), day,
                t.get(IsoFields.WEEK_BASED_YEAR) * 100L + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), month, t.getYear()};
    }

    /** The policy as properties, e.g. for logs and golden-file headers. */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        int[] counts = {last, hourly, daily, weekly, monthly, yearly};
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                p.put(COUNT_KEYS.get(i), counts[i] == ALL ? "all" : Integer.toString(counts[i]));
            }
        }
        if (within != null) {
            p.put(KEEP_WITHIN, within.toString());
        }
        if (maxCount > 0) {
            p.put(MAX_COUNT, Integer.toString(maxCount));
        }
        p.put(MIN_KEEP, Integer.toString(minKeep));
        p.put(SKIP_WHEN_LATEST_RUN_FAILED, Boolean.toString(skipWhenLatestRunFailed));
        p.put(TIME_ZONE, zone.getId());
        return p;
    }

    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(", ");
        toProperties().forEach((k, v) -> s.add(k + "=" + v));
        return s.toString();
    }

    /** Mutable per-evaluation state of one counted rule. */
    private static final class Rule {
        final String reason;
        final String oldestReason;
        /** Index into the bucket keys, or -1 for keep-last. */
        final int keyIndex;
        int remaining;
        boolean hasLast;
        long lastBucket;

        Rule(String reason, String oldestReason, int count, int keyIndex) {
            this.reason = reason;
            this.oldestReason = oldestReason;
            this.remaining = count;
            this.keyIndex = keyIndex;
        }
    }
}
