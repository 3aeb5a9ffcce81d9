package io.backroute.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backroute.testing.Golden;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Proves alert texts, HTML and JSON match their golden files, escape HTML and always carry the full JSON shape. */
class AlertRenderingGoldenTest {

    static Stream<Arguments> alerts() {
        return Stream.of(
                Arguments.of("failed", SampleAlerts.failed()),
                Arguments.of("partial", SampleAlerts.partial()),
                Arguments.of("recovered", SampleAlerts.recovered()),
                Arguments.of("stale", SampleAlerts.stale()),
                Arguments.of("startup-invalid", SampleAlerts.startupInvalid()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alerts")
    void textMatchesGoldenFile(String name, Alert alert) throws Exception {
        Golden.assertMatches("alerts/" + name + ".txt", AlertRenderer.text(alert).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alerts")
    void htmlMatchesGoldenFile(String name, Alert alert) throws Exception {
        Golden.assertMatches("alerts/" + name + ".html", AlertRenderer.html(alert).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alerts")
    void jsonMatchesGoldenFile(String name, Alert alert) throws Exception {
        Golden.assertMatches("alerts/" + name + ".json", AlertRenderer.json(alert).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void htmlEscapesErrorTextFromChildProcesses() {
        String html = AlertRenderer.html(SampleAlerts.failed());
        assertThat(html).contains("&lt;stderr tail ends here &amp; nothing more&gt;")
                .contains("&quot;127.0.0.1&quot;")
                .doesNotContain("<stderr");
    }

    @Test
    void jsonCarriesEveryFieldEvenWhenUnknown() throws Exception {
        JsonNode n = new ObjectMapper().readTree(AlertRenderer.json(SampleAlerts.startupInvalid()));
        assertThat(n.fieldNames()).toIterable().containsExactly("kind", "severity", "subject", "summary", "job", "runId",
                "status", "time", "host", "error", "plainBytes", "storedBytes", "durationMs", "lastSuccess", "nextRun",
                "destinations", "facts", "advice");
        assertThat(n.get("job").isNull()).isTrue();
        assertThat(n.get("severity").asText()).isEqualTo("CRITICAL");
    }

    @Test
    void partialRunJsonNamesTheFailedDestinationAndItsError() throws Exception {
        JsonNode n = new ObjectMapper().readTree(AlertRenderer.json(SampleAlerts.partial()));
        assertThat(n.get("destinations")).hasSize(2);
        assertThat(n.get("destinations").get(1).get("status").asText()).isEqualTo("FAILED");
        assertThat(n.get("destinations").get(1).get("error").asText()).contains("Connection refused");
        assertThat(n.get("storedBytes").asLong()).isEqualTo(98_566_144L);
    }

    @Test
    void subjectStartsWithKindAndJobAndStaysShort() {
        assertThat(SampleAlerts.failed().subject()).startsWith("[backroute] FAILED orders-db: backup failed: dump: pg_dump exited 1")
                .hasSizeLessThan(200);
        assertThat(SampleAlerts.startupInvalid().subject()).isEqualTo("[backroute] STARTUP_INVALID: 2 configuration problems; nothing was scheduled");
    }
}
