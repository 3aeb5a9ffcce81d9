package io.backroute.retention;

import io.backroute.catalog.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves, over 10,000 seeded random histories, policies and time zones, that the policy equals a simple
 * bucket-by-bucket reference implementation and that the plan honours every safety rail.
 */
class RetentionPropertyTest {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Asia/Kolkata"));
    private static final String[] WITHIN = {"12h", "1d", "2d3h", "7d", "1m", "1m14d", "1y"};
    private static final Duration[] SPANS = {Duration.ofHours(6), Duration.ofDays(5), Duration.ofDays(60), Duration.ofDays(1100)};
    private static final String JOB = "orders-db";

    @Test
    void policyMatchesTheReferenceAndPlansHonourEverySafetyRailOverTenThousandRandomHistories() {
        Random rnd = new Random(0xBAC4_0017L);
        int rounds = 0;
        for (int round = 0; round < 10_000; round++) {
            RetentionPolicy policy = randomPolicy(rnd);
            Duration span = SPANS[rnd.nextInt(SPANS.length)];
            Instant base = Instant.parse("2021-01-01T00:00:00Z").plus(Duration.ofDays(rnd.nextInt(1500)));
            int n = rnd.nextInt(41);
            List<Candidate> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Instant t = i > 0 && rnd.nextInt(20) == 0
                        ? all.get(rnd.nextInt(all.size())).time()
                        : base.plusSeconds((long) (rnd.nextDouble() * span.getSeconds()));
                String job = rnd.nextInt(10) == 0 ? "wiki" : JOB;
                all.add(new Candidate(job + "/k" + i, job, t, rnd.nextInt(5) != 0));
            }
            Instant newest = all.stream().map(Candidate::time).max(Instant::compareTo).orElse(base);
            Instant now = newest.plusSeconds(rnd.nextInt(10) == 0 ? -span.getSeconds() / 4 : rnd.nextInt(864_000));
            RunStatus[] statuses = RunStatus.values();
            RunStatus latest = rnd.nextInt(6) == 0 ? null : statuses[rnd.nextInt(statuses.length)];
            String context = "round " + round + ", policy " + policy + ", now " + now;

            List<Candidate> own = all.stream().filter(c -> c.job().equals(JOB)).toList();
            List<Decision> policyDecisions = policy.apply(own, now);
            List<Decision> expected = reference(policy, own, now);
            // plain equals first: AssertJ's diff is built only for a failing round, which keeps 10,000 rounds fast
            if (!policyDecisions.equals(expected)) {
                assertThat(policyDecisions).as(context).isEqualTo(expected);
            }
            List<String> violations = railViolations(policy, all, own, policyDecisions, now, latest);
            if (!violations.isEmpty()) {
                assertThat(violations).as(context).isEmpty();
            }
            rounds++;
        }
        assertThat(rounds).isEqualTo(10_000);
    }

    /** Every safety-rail property the plan of this round breaks, empty when it honours them all. */
    private static List<String> railViolations(RetentionPolicy policy, List<Candidate> all, List<Candidate> own,
                                               List<Decision> policyDecisions, Instant now, RunStatus latest) {
        List<String> violations = new ArrayList<>();
        List<Decision> plan = policy.plan(JOB, all, now, latest);
        Map<Candidate, Decision> byCandidate = plan.stream().collect(Collectors.toMap(Decision::c, d -> d));
        if (plan.size() != all.size() || !byCandidate.keySet().containsAll(all)) {
            violations.add("plan does not hold exactly the candidates: " + plan);
        }
        for (Decision d : plan) {
            if (d.keep() && d.reasons().isEmpty()) {
                violations.add("kept without a reason: " + d);
            }
            if (!d.c().job().equals(JOB) && !d.keep()) {
                violations.add("another job's artifact removed: " + d);
            }
        }
        List<Decision> ownPlan = policyDecisions.stream().map(d -> byCandidate.get(d.c())).toList();
        for (Decision d : policyDecisions) {
            if (d.keep() && !byCandidate.get(d.c()).keep()) {
                violations.add("rails removed what the policy kept: " + d);
            }
        }
        long ownKept = ownPlan.stream().filter(Decision::keep).count();
        if (policy.skipWhenLatestRunFailed() && latest == RunStatus.FAILED) {
            if (ownKept != own.size()) {
                violations.add("latest run failed but " + (own.size() - ownKept) + " artifact(s) removed");
            }
            return violations;
        }
        // policyDecisions are newest first, so the first good one is the newest good
        Decision newestGood = policyDecisions.stream().filter(d -> d.c().good()).findFirst().orElse(null);
        if (newestGood != null && !byCandidate.get(newestGood.c()).keep()) {
            violations.add("newest good artifact removed: " + newestGood);
        }
        long policyKept = policyDecisions.stream().filter(Decision::keep).count();
        long afterNewestGood = policyKept + (newestGood != null && !newestGood.keep() ? 1 : 0);
        long expectedKept = Math.max(afterNewestGood, Math.min(policy.minKeep(), own.size()));
        if (ownKept != expectedKept) {
            violations.add("kept " + ownKept + ", the policy and rails need exactly " + expectedKept);
        }
        // min-keep fills from the newest: no removed artifact is newer than one kept only for min-keep
        int lastMinKeep = -1;
        int firstRemoved = Integer.MAX_VALUE;
        for (int i = 0; i < ownPlan.size(); i++) {
            if (ownPlan.get(i).reasons().contains(SafetyRails.MIN_KEEP)) {
                lastMinKeep = i;
            }
            if (!ownPlan.get(i).keep()) {
                firstRemoved = Math.min(firstRemoved, i);
            }
        }
        if (lastMinKeep > firstRemoved) {
            violations.add("min-keep kept an older artifact while a newer one is removed: " + ownPlan);
        }
        return violations;
    }

    private static RetentionPolicy randomPolicy(Random rnd) {
        int[] counts = new int[6];
        String within = null;
        do {
            for (int i = 0; i < counts.length; i++) {
                int r = rnd.nextInt(20);
                counts[i] = r < 13 ? 0 : r == 19 ? RetentionPolicy.ALL : 1 + rnd.nextInt(6);
            }
            within = rnd.nextInt(4) == 0 ? WITHIN[rnd.nextInt(WITHIN.length)] : null;
        } while (within == null && java.util.Arrays.stream(counts).allMatch(c -> c == 0));
        int minKeep = 1 + rnd.nextInt(3);
        int maxCount = rnd.nextInt(5) == 0 ? minKeep + rnd.nextInt(12) : 0;
        return new RetentionPolicy(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5],
                within == null ? null : KeepWithin.parse(within), maxCount, minKeep, rnd.nextBoolean(),
                ZONES.get(rnd.nextInt(ZONES.size())));
    }

    /**
     * The obvious reading of restic's forget: per rule, group artifacts by calendar bucket, keep the newest of
     * each of the newest N buckets, and if there are fewer than N buckets also keep the very oldest artifact.
     */
    static List<Decision> reference(RetentionPolicy p, List<Candidate> candidates, Instant now) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(RetentionPolicy.NEWEST_FIRST);
        Map<Candidate, List<String>> reasons = new LinkedHashMap<>();
        sorted.forEach(c -> reasons.put(c, new ArrayList<>()));
        if (sorted.isEmpty()) {
            return List.of();
        }
        ZoneId zone = p.zone();
        if (p.within() != null) {
            Instant anchor = sorted.stream().map(Candidate::time).filter(t -> !t.isAfter(now)).findFirst().orElse(now);
            KeepWithin w = p.within();
            Instant from = anchor.atZone(zone).minusMonths(w.years() * 12L + w.months()).minusDays(w.days())
                    .toInstant().minus(w.hours(), ChronoUnit.HOURS);
            sorted.stream().filter(c -> c.time().isAfter(from)).forEach(c -> reasons.get(c).add("within " + w));
        }
        Map<Candidate, LocalDateTime> locals = new HashMap<>();
        sorted.forEach(c -> locals.put(c, LocalDateTime.ofInstant(c.time(), zone)));
        Function<Candidate, LocalDateTime> local = locals::get;
        rule(sorted, reasons, p.last(), "last " + (p.last() == RetentionPolicy.ALL ? "(all)" : p.last()), "last", c -> c);
        rule(sorted, reasons, p.hourly(), "hourly", "oldest hourly", c -> local.apply(c).truncatedTo(ChronoUnit.HOURS));
        rule(sorted, reasons, p.daily(), "daily", "oldest daily", c -> local.apply(c).toLocalDate());
        rule(sorted, reasons, p.weekly(), "weekly", "oldest weekly", c -> local.apply(c).get(WeekFields.ISO.weekBasedYear())
                + "-W" + local.apply(c).get(WeekFields.ISO.weekOfWeekBasedYear()));
        rule(sorted, reasons, p.monthly(), "monthly", "oldest monthly", c -> YearMonth.from(local.apply(c)));
        rule(sorted, reasons, p.yearly(), "yearly", "oldest yearly", c -> local.apply(c).getYear());

        List<Decision> out = new ArrayList<>();
        int kept = 0;
        for (Candidate c : sorted) {
            List<String> r = reasons.get(c);
            if (!r.isEmpty() && p.maxCount() > 0 && ++kept > p.maxCount()) {
                out.add(new Decision(c, false, List.of("beyond max-count " + p.maxCount())));
            } else {
                out.add(new Decision(c, !r.isEmpty(), r));
            }
        }
        return out;
    }

    private static void rule(List<Candidate> sorted, Map<Candidate, List<String>> reasons, int count, String reason,
                             String oldestReason, Function<Candidate, Object> bucketOf) {
        if (count == 0) {
            return;
        }
        Map<Object, List<Candidate>> buckets = new LinkedHashMap<>();
        sorted.forEach(c -> buckets.computeIfAbsent(bucketOf.apply(c), k -> new ArrayList<>()).add(c));
        int take = count == RetentionPolicy.ALL ? buckets.size() : Math.min(count, buckets.size());
        List<List<Candidate>> ordered = new ArrayList<>(buckets.values());
        for (int i = 0; i < take; i++) {
            reasons.get(ordered.get(i).get(0)).add(reason);
        }
        Candidate oldest = sorted.get(sorted.size() - 1);
        List<Candidate> oldestBucket = ordered.get(ordered.size() - 1);
        if ((count == RetentionPolicy.ALL || buckets.size() < count) && oldestBucket.get(0) != oldest) {
            reasons.get(oldest).add(oldestReason);
        }
    }

}
