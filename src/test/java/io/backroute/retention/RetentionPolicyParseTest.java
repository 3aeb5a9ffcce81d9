package io.backroute.retention;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves retention properties parse into a policy, destination overrides apply, and every problem is reported at once. */
class RetentionPolicyParseTest {

    @Test
    void parsesEveryKey() {
        RetentionPolicy p = RetentionPolicy.parse(Map.of("keep-last", "2", "keep-hourly", "24", "keep-daily", "7",
                "keep-weekly", "4", "keep-monthly", "12", "keep-yearly", "all", "keep-within", "1y2m",
                "max-count", "100", "min-keep", "3", "time-zone", "America/New_York"));

        assertThat(p).isEqualTo(new RetentionPolicy(2, 24, 7, 4, 12, RetentionPolicy.ALL, new KeepWithin(1, 2, 0, 0),
                100, 3, true, ZoneId.of("America/New_York")));
        assertThat(p.toString()).isEqualTo("keep-last=2, keep-hourly=24, keep-daily=7, keep-weekly=4, keep-monthly=12,"
                + " keep-yearly=all, keep-within=1y2m, max-count=100, min-keep=3, skip-when-latest-run-failed=true,"
                + " time-zone=America/New_York");
        assertThat(RetentionPolicy.parse(p.toProperties())).isEqualTo(p);
    }

    @Test
    void defaultsAreMinKeepOneSkipAfterFailureAndTheSystemZone() {
        RetentionPolicy p = RetentionPolicy.parse(Map.of("keep-daily", " 7 "));
        assertThat(p.minKeep()).isEqualTo(1);
        assertThat(p.skipWhenLatestRunFailed()).isTrue();
        assertThat(p.maxCount()).isZero();
        assertThat(p.zone()).isEqualTo(ZoneId.systemDefault());
    }

    @Test
    void destinationOverridesReplaceTheJobsKeysOneByOne() {
        Map<String, String> job = Map.of("keep-daily", "7", "keep-monthly", "12", "time-zone", "UTC");
        RetentionPolicy s3 = RetentionPolicy.parse(job, Map.of("keep-monthly", "36", "keep-yearly", "5"));

        assertThat(s3.daily()).isEqualTo(7);
        assertThat(s3.monthly()).isEqualTo(36);
        assertThat(s3.yearly()).isEqualTo(5);
        assertThat(s3.zone()).isEqualTo(ZoneId.of("UTC"));
    }

    @Test
    void everyProblemIsCollectedIntoOneError() {
        Map<String, String> bad = Map.of("keep-daily", "-1", "keep-within", "30 days", "keep-dayly", "7",
                "time-zone", "Mars/Olympus", "min-keep", "0", "skip-when-latest-run-failed", "maybe");

        assertThat(RetentionPolicy.validate(bad)).hasSize(6);
        assertThatThrownBy(() -> RetentionPolicy.parse(bad))
                .isInstanceOfSatisfying(InvalidRetentionPolicyException.class, e -> assertThat(e.problems()).hasSize(6))
                .hasMessageContaining("keep-daily must be a count >= 0 or 'all', got -1")
                .hasMessageContaining("keep-within: '30 days' is not a duration")
                .hasMessageContaining("unknown retention key 'keep-dayly'")
                .hasMessageContaining("time-zone: 'Mars/Olympus'")
                .hasMessageContaining("min-keep must be a count >= 1, got 0")
                .hasMessageContaining("'maybe' is not true or false");
    }

    @Test
    void emptyPolicyIsAnError() {
        assertThat(RetentionPolicy.validate(Map.of())).singleElement().asString().contains("retention policy is empty");
        assertThat(RetentionPolicy.validate(Map.of("keep-daily", "0", "min-keep", "3"))).singleElement().asString()
                .contains("retention policy is empty");
        // a cap alone keeps nothing, so it is empty too
        assertThat(RetentionPolicy.validate(Map.of("max-count", "30"))).singleElement().asString()
                .contains("retention policy is empty");
    }

    @Test
    void maxCountBelowMinKeepIsAnError() {
        assertThat(RetentionPolicy.validate(Map.of("keep-last", "5", "max-count", "2", "min-keep", "3")))
                .containsExactly("max-count 2 is below min-keep 3");
        assertThat(RetentionPolicy.validate(Map.of("keep-last", "x", "max-count", "0")))
                .containsExactly("keep-last: 'x' is not a count or 'all'", "max-count must be a count >= 1, got 0");
    }

    @Test
    void keepWithinParsesResticStyleDurations() {
        assertThat(KeepWithin.parse("30d")).isEqualTo(new KeepWithin(0, 0, 30, 0));
        assertThat(KeepWithin.parse("12h")).isEqualTo(new KeepWithin(0, 0, 0, 12));
        assertThat(KeepWithin.parse("1y2m3d4h")).hasToString("1y2m3d4h");
        assertThat(KeepWithin.parse("1y1d1m")).isEqualTo(new KeepWithin(1, 1, 1, 0));
        for (String bad : new String[] {"", "30", "1w", "0d", "d", "2d1d", "-3d", "1.5d", "3 d"}) {
            assertThatThrownBy(() -> KeepWithin.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(KeepWithin.parse("1m").before(Instant.parse("2024-03-31T10:00:00Z"), ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2024-02-29T10:00:00Z"));
        assertThat(KeepWithin.parse("1d2h").before(Instant.parse("2024-03-31T10:00:00Z"), ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2024-03-30T08:00:00Z"));
    }
}
