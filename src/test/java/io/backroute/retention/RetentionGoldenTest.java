package io.backroute.retention;

import io.backroute.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Proves the retention decisions for a fixed two-year history match reviewed golden files, one per policy. */
class RetentionGoldenTest {

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("daily7-weekly4-monthly12", Map.of("keep-daily", "7", "keep-weekly", "4", "keep-monthly", "12")),
                Arguments.of("within30d-max30", Map.of("keep-within", "30d", "max-count", "30")),
                Arguments.of("last10-hourly24", Map.of("keep-last", "10", "keep-hourly", "24")),
                Arguments.of("daily3-weekly2-monthly-all-yearly-all",
                        Map.of("keep-daily", "3", "keep-weekly", "2", "keep-monthly", "all", "keep-yearly", "all")),
                Arguments.of("monthly36-yearly5", Map.of("keep-monthly", "36", "keep-yearly", "5")),
                Arguments.of("within1y2m3d4h", Map.of("keep-within", "1y2m3d4h")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void decisionsOverTwoIrregularYearsMatchTheGoldenFile(String name, Map<String, String> properties) throws Exception {
        Map<String, String> withZone = new java.util.HashMap<>(properties);
        withZone.put("time-zone", "Europe/Berlin");
        RetentionPolicy policy = RetentionPolicy.parse(withZone);
        List<Candidate> history = Histories.twoIrregularYears();
        Instant now = history.get(history.size() - 1).time().plus(Duration.ofHours(1));

        List<Decision> decisions = policy.apply(history, now);

        assertThat(decisions).hasSameSizeAs(history);
        assertThat(decisions).filteredOn(Decision::keep).allSatisfy(d -> assertThat(d.reasons()).isNotEmpty());
        String text = "# policy: " + policy + "\n# now: " + now + "\n" + Histories.render(decisions);
        Golden.assertMatches("retention/" + name + ".txt", text.getBytes(StandardCharsets.UTF_8));
    }
}
