package io.backroute.retention;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.backroute.retention.Histories.candidate;
import static org.assertj.core.api.Assertions.assertThat;

/** Proves the retention policy keeps exactly the buckets restic's forget would, with a reason for every kept artifact. */
class RetentionPolicyTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static RetentionPolicy policy(String... keyValues) {
        Map<String, String> p = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        p.putIfAbsent("time-zone", "Europe/Paris");
        return RetentionPolicy.parse(p);
    }

    private static Map<LocalDate, List<String>> keptByLocalDate(List<Decision> decisions, ZoneId zone) {
        return decisions.stream().filter(Decision::keep).collect(Collectors.toMap(
                d -> d.c().time().atZone(zone).toLocalDate(), Decision::reasons, (a, b) -> a, java.util.TreeMap::new));
    }

    private static Instant after(List<Candidate> history) {
        return history.get(history.size() - 1).time().plus(Duration.ofHours(1));
    }

    @Test
    void sevenDailyFourWeeklyTwelveMonthlyKeepsExactlyTheseBuckets() {
        List<Candidate> history = Histories.daily(LocalDate.of(2023, 1, 1), LocalDate.of(2024, 12, 31), LocalTime.of(2, 30), PARIS);

        List<Decision> decisions = policy("keep-daily", "7", "keep-weekly", "4", "keep-monthly", "12")
                .apply(history, after(history));

        Map<LocalDate, List<String>> kept = keptByLocalDate(decisions, PARIS);
        // 7 newest days; ISO weeks 2025-W01 (Dec 30-31), 2024-W52, W51, W50; the last day of the 12 newest months
        assertThat(kept.keySet()).containsExactly(
                LocalDate.of(2024, 1, 31), LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 31), LocalDate.of(2024, 4, 30),
                LocalDate.of(2024, 5, 31), LocalDate.of(2024, 6, 30), LocalDate.of(2024, 7, 31), LocalDate.of(2024, 8, 31),
                LocalDate.of(2024, 9, 30), LocalDate.of(2024, 10, 31), LocalDate.of(2024, 11, 30),
                LocalDate.of(2024, 12, 15), LocalDate.of(2024, 12, 22),
                LocalDate.of(2024, 12, 25), LocalDate.of(2024, 12, 26), LocalDate.of(2024, 12, 27), LocalDate.of(2024, 12, 28),
                LocalDate.of(2024, 12, 29), LocalDate.of(2024, 12, 30), LocalDate.of(2024, 12, 31));
        assertThat(kept.get(LocalDate.of(2024, 12, 31))).containsExactly("daily", "weekly", "monthly");
        assertThat(kept.get(LocalDate.of(2024, 12, 29))).containsExactly("daily", "weekly");
        assertThat(kept.get(LocalDate.of(2024, 12, 22))).containsExactly("weekly");
        assertThat(kept.get(LocalDate.of(2024, 1, 31))).containsExactly("monthly");
        assertThat(decisions).filteredOn(d -> !d.keep()).hasSize(history.size() - 20);
    }

    @Test
    void monthlyCountNotReachedKeepsTheOldestArtifactAsOldestMonthly() {
        List<Candidate> history = Histories.daily(LocalDate.of(2024, 10, 1), LocalDate.of(2024, 12, 31), LocalTime.of(2, 30), PARIS);

        List<Decision> decisions = policy("keep-daily", "7", "keep-weekly", "4", "keep-monthly", "12")
                .apply(history, after(history));

        Map<LocalDate, List<String>> kept = keptByLocalDate(decisions, PARIS);
        // only three months exist, so the count of 12 is not reached: the oldest backup stretches the history
        assertThat(kept.get(LocalDate.of(2024, 10, 1))).containsExactly("oldest monthly");
        assertThat(kept.get(LocalDate.of(2024, 10, 31))).containsExactly("monthly");
        assertThat(kept).hasSize(7 + 2 + 2 + 1);
    }

    /**
     * "30 days or 30 backups, whichever first" means: keep an artifact only while both limits hold, i.e. the
     * artifact is younger than 30 days (measured from the newest artifact) and among the 30 newest; whichever
     * limit is reached first ends the kept range. As a policy: {@code keep-within=30d} plus the cap
     * {@code max-count=30}.
     */
    @Test
    void thirtyDaysOrThirtyBackupsWhicheverFirst() {
        RetentionPolicy policy = policy("keep-within", "30d", "max-count", "30");

        // one backup a day for 60 days: both limits give the same 30
        List<Candidate> daily = Histories.daily(LocalDate.of(2024, 11, 1), LocalDate.of(2024, 12, 30), LocalTime.of(1, 0), PARIS);
        List<Decision> d1 = policy.apply(daily, after(daily));
        assertThat(d1).filteredOn(Decision::keep).hasSize(30)
                .allSatisfy(d -> assertThat(d.reasons()).containsExactly("within 30d"));
        assertThat(d1.get(29).c().time().atZone(PARIS).toLocalDate()).isEqualTo(LocalDate.of(2024, 12, 1));

        // four backups a day: 30 backups come first (7.5 days), the rest of the 30 days is removed
        List<Candidate> fourADay = new java.util.ArrayList<>();
        for (Candidate c : daily) {
            for (int h = 0; h < 4; h++) {
                fourADay.add(candidate(c.time().plus(Duration.ofHours(6L * h)), true));
            }
        }
        List<Decision> d2 = policy.apply(fourADay, after(fourADay));
        assertThat(d2.subList(0, 30)).allMatch(Decision::keep);
        assertThat(d2.subList(30, d2.size())).noneMatch(Decision::keep);
        assertThat(d2.get(30).reasons()).containsExactly("beyond max-count 30");

        // one backup a week for a year: 30 days come first, five backups stay
        List<Candidate> weekly = new java.util.ArrayList<>();
        for (int w = 52; w >= 0; w--) {
            weekly.add(candidate(Instant.parse("2024-12-29T03:00:00Z").minus(Duration.ofDays(7L * w)), true));
        }
        assertThat(policy.apply(weekly, after(weekly))).filteredOn(Decision::keep).hasSize(5);
    }

    @Test
    void keepWithinIsMeasuredFromTheNewestArtifactSoStoppedBackupsDoNotAgeEverythingOut() {
        List<Candidate> history = Histories.daily(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 3, 31), LocalTime.NOON, PARIS);
        Instant now = Instant.parse("2024-09-01T00:00:00Z");

        List<Decision> decisions = policy("keep-within", "7d").apply(history, now);

        assertThat(decisions).filteredOn(Decision::keep).hasSize(7);
        assertThat(decisions.get(0).c().time().atZone(PARIS).toLocalDate()).isEqualTo(LocalDate.of(2024, 3, 31));
    }

    @Test
    void artifactsStampedInTheFutureDoNotAnchorKeepWithin() {
        List<Candidate> history = new java.util.ArrayList<>(
                Histories.daily(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 20), LocalTime.NOON, PARIS));
        Instant now = history.get(history.size() - 1).time().plusSeconds(60);
        history.add(candidate(Instant.parse("2030-01-01T00:00:00Z"), true));

        List<Decision> decisions = policy("keep-within", "3d").apply(history, now);

        // the 2030 artifact is within, and so are the three days before the newest real one
        assertThat(decisions).filteredOn(Decision::keep).hasSize(4);
    }

    @Test
    void bucketsAreEvaluatedInTheJobsTimeZone() {
        // 14:00Z, 16:00Z, 20:00Z: one UTC day, but two days in Tokyo (23:00 on the 1st; 01:00 and 05:00 on the 2nd)
        List<Candidate> history = List.of(candidate(Instant.parse("2024-06-01T14:00:00Z"), true),
                candidate(Instant.parse("2024-06-01T16:00:00Z"), true), candidate(Instant.parse("2024-06-01T20:00:00Z"), true));
        Instant now = Instant.parse("2024-06-02T00:00:00Z");

        List<Decision> utc = policy("keep-daily", "2", "time-zone", "UTC").apply(history, now);
        List<Decision> tokyo = policy("keep-daily", "2", "time-zone", "Asia/Tokyo").apply(history, now);

        assertThat(utc).extracting(Decision::reasons)
                .containsExactly(List.of("daily"), List.of(), List.of("oldest daily"));
        assertThat(tokyo).extracting(Decision::reasons)
                .containsExactly(List.of("daily"), List.of(), List.of("daily"));
    }

    @Test
    void keepLastNamesItsCountAndAllKeepsEveryBucket() {
        List<Candidate> history = Histories.daily(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 10), LocalTime.NOON, PARIS);

        assertThat(policy("keep-last", "3").apply(history, after(history))).extracting(Decision::reasons).startsWith(
                List.of("last 3"), List.of("last 3"), List.of("last 3"), List.of());
        assertThat(policy("keep-daily", "all").apply(history, after(history))).allMatch(Decision::keep);
        assertThat(policy("keep-monthly", "all").apply(history, after(history)))
                .extracting(Decision::reasons).containsOnly(List.of("monthly"), List.of(), List.of("oldest monthly"));
    }

    @Test
    void decisionsAreNewestFirstWhateverTheInputOrderAndTiesAreDeterministic() {
        Instant t = Instant.parse("2024-06-01T10:00:00Z");
        Candidate a = new Candidate("orders-db/a", "orders-db", t, true);
        Candidate b = new Candidate("orders-db/b", "orders-db", t, true);
        Candidate older = new Candidate("orders-db/c", "orders-db", t.minusSeconds(10), true);
        RetentionPolicy p = policy("keep-last", "1");

        List<Decision> one = p.apply(List.of(older, a, b), t);
        List<Decision> two = p.apply(List.of(b, older, a), t);

        assertThat(one).isEqualTo(two);
        assertThat(one).extracting(d -> d.c().key()).containsExactly("orders-db/b", "orders-db/a", "orders-db/c");
        assertThat(p.apply(List.of(), t)).isEmpty();
    }
}
