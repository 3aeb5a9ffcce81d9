package io.backroute.retention;

import io.backroute.catalog.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.backroute.retention.Histories.candidate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves each safety rail on its own: newest good kept, other jobs untouched, min-keep honoured, pruning skipped after a failed run. */
class SafetyRailsTest {

    private static final Instant T = Instant.parse("2024-06-10T12:00:00Z");

    private static List<Decision> allRemoved(List<Candidate> candidates) {
        return candidates.stream().map(c -> new Decision(c, false, List.of())).toList();
    }

    @Test
    void keepsNewestGoodArtifactEvenWhenPolicyWouldRemoveIt() {
        List<Candidate> history = List.of(candidate(T, false), candidate(T.minusSeconds(3600), false),
                candidate(T.minusSeconds(7200), true), candidate(T.minusSeconds(9000), true));
        RetentionPolicy keepLast1 = RetentionPolicy.parse(Map.of("keep-last", "1", "time-zone", "UTC"));

        List<Decision> decisions = keepLast1.plan(Histories.JOB, history, T, RunStatus.SUCCESS);

        assertThat(decisions).extracting(Decision::keep).containsExactly(true, false, true, false);
        assertThat(decisions.get(0).reasons()).containsExactly("last 1");
        assertThat(decisions.get(2).reasons()).containsExactly(SafetyRails.NEWEST_GOOD);
    }

    @Test
    void neverTouchesCandidatesOfAnotherJobAndTheyDoNotFillPolicyBuckets() {
        List<Candidate> mixed = new ArrayList<>();
        mixed.add(candidate("wiki", T.plusSeconds(60), true));     // newer than everything of ours
        mixed.add(candidate(T, true));
        mixed.add(candidate(T.minusSeconds(60), true));
        mixed.add(candidate("wiki", T.minusSeconds(120), true));
        RetentionPolicy keepLast1 = RetentionPolicy.parse(Map.of("keep-last", "1", "time-zone", "UTC"));

        List<Decision> decisions = keepLast1.plan(Histories.JOB, mixed, T.plusSeconds(60), RunStatus.SUCCESS);

        assertThat(decisions).filteredOn(d -> d.c().job().equals("wiki"))
                .hasSize(2).allSatisfy(d -> {
                    assertThat(d.keep()).isTrue();
                    assertThat(d.reasons()).containsExactly(SafetyRails.OTHER_JOB);
                });
        assertThat(decisions).filteredOn(d -> d.c().job().equals(Histories.JOB)).extracting(Decision::keep)
                .containsExactly(true, false);
        // applied directly to decisions that wrongly removed a foreign artifact, the rail still keeps it
        List<Decision> railed = new SafetyRails(1, true).apply(Histories.JOB, allRemoved(mixed), RunStatus.SUCCESS);
        assertThat(railed).filteredOn(d -> d.c().job().equals("wiki")).allMatch(Decision::keep);
    }

    @Test
    void minKeepKeepsTheNewestArtifacts() {
        List<Candidate> bad = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bad.add(candidate(T.minusSeconds(3600L * i), false));
        }

        List<Decision> decisions = new SafetyRails(3, true).apply(Histories.JOB, allRemoved(bad), RunStatus.SUCCESS);

        assertThat(decisions).extracting(Decision::keep).containsExactly(true, true, true, false, false);
        assertThat(decisions.subList(0, 3)).allSatisfy(d -> assertThat(d.reasons()).containsExactly(SafetyRails.MIN_KEEP));
    }

    @Test
    void minKeepCountsArtifactsAlreadyKeptAndTheNewestGood() {
        List<Candidate> h = Histories.daily(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 6), LocalTime.NOON, ZoneOffset.UTC);
        List<Decision> input = new ArrayList<>(allRemoved(h));
        input.set(5, new Decision(h.get(5), true, List.of("daily")));  // the newest, kept by the policy

        List<Decision> decisions = new SafetyRails(2, true).apply(Histories.JOB, input, RunStatus.SUCCESS);

        assertThat(decisions).filteredOn(Decision::keep).hasSize(2);
        assertThat(decisions.get(0).reasons()).containsExactly("daily");
        assertThat(decisions.get(1).reasons()).containsExactly(SafetyRails.MIN_KEEP);
    }

    @Test
    void latestRunFailedSkipsPruningWhenTheOptionIsOn() {
        List<Candidate> h = Histories.daily(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 20), LocalTime.NOON, ZoneOffset.UTC);
        RetentionPolicy keepLast2 = RetentionPolicy.parse(Map.of("keep-last", "2", "time-zone", "UTC"));
        Instant now = T;

        List<Decision> skipped = keepLast2.plan(Histories.JOB, h, now, RunStatus.FAILED);
        assertThat(skipped).hasSize(20).allSatisfy(d -> {
            assertThat(d.keep()).isTrue();
            assertThat(d.reasons()).endsWith(SafetyRails.PRUNING_SKIPPED);
        });

        assertThat(keepLast2.plan(Histories.JOB, h, now, RunStatus.SUCCESS)).filteredOn(Decision::keep).hasSize(2);
        assertThat(keepLast2.plan(Histories.JOB, h, now, null)).filteredOn(Decision::keep).hasSize(2);
        RetentionPolicy noSkip = RetentionPolicy.parse(Map.of("keep-last", "2", "time-zone", "UTC",
                "skip-when-latest-run-failed", "false"));
        assertThat(noSkip.plan(Histories.JOB, h, now, RunStatus.FAILED)).filteredOn(Decision::keep).hasSize(2);
    }

    @Test
    void minKeepBelowOneIsRefused() {
        assertThatThrownBy(() -> new SafetyRails(0, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min-keep");
    }
}
