package io.backroute.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Gate;
import io.backroute.testsupport.Ports;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the /status page, loaded in a real headless Chromium, shows one row per job with its status, a STALE job in red, and escapes error text. */
class StatusPageTest {

    @TempDir
    Path tmp;

    @Test
    void headlessChromiumShowsEveryJobRowTheStaleJobInRedAndEscapedErrors() throws Exception {
        int port = Ports.free();
        Workspace ws = new Workspace(tmp.resolve("ws"), "file:src/test/resources/routes/gated.camel.yaml")
                // status page, health and metrics share one server when the ports are equal (as in the shipped config)
                .set("camel.server.port", String.valueOf(port)).set("camel.management.port", String.valueOf(port))
                .set("jobs.gated.directory", Files.createDirectories(tmp.resolve("gated")).toString());
        // The watchdog's findings arrive through the FreshnessSource hook: demo is STALE, gated not evaluated yet.
        FreshnessSource watchdog = job -> "demo".equals(job)
                ? Optional.of(new Freshness("STALE", Duration.ofDays(3), Duration.ofDays(1))) : Optional.empty();
        try (BackrouteService s = ws.service().bind("gate", new Gate()).bind("backrouteFreshness", watchdog)) {
            s.start();
            RunRecord ok = s.runtime().runNow("demo", "test");
            assertThat(ok.status()).isEqualTo(RunStatus.SUCCESS);
            Instant t = Instant.now();
            s.runtime().catalog().save(new RunRecord("gated-20250101T000000Z-abcd", "gated", "test", RunStatus.FAILED,
                    t, t.plusSeconds(2), 0, 0, List.of(), "dump: <script>alert(1)</script> exited 2 & \"quoted\""));

            String url = "http://127.0.0.1:" + port + "/status";
            String dom = chromium("--dump-dom", url);
            Path screenshot = Path.of("target/status-page.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            chromium("--screenshot=" + screenshot, "--window-size=1280,900", url);

            assertThat(dom).contains("<meta http-equiv=\"refresh\" content=\"30\">");
            String demo = row(dom, "job-demo");
            assertThat(demo).contains("data-status=\"SUCCESS\"").contains("data-freshness=\"STALE\"")
                    .contains("0 0 * * * ?").contains("<td class=\"bad\">STALE, newest good 3d 0h old (max 1d 0h)")
                    .contains("local=OK").contains(ok.end().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            String gated = row(dom, "job-gated");
            assertThat(gated).contains("data-status=\"FAILED\"").contains("data-freshness=\"UNKNOWN\"")
                    .contains("<td class=\"bad\">FAILED").contains("never").contains("direct://gated");
            assertThat(dom).contains("gated-20250101T000000Z-abcd")
                    .contains("dump: &lt;script&gt;alert(1)&lt;/script&gt; exited 2 &amp; \"quoted\"")
                    .doesNotContain("<script>alert(1)");
            assertThat(screenshot).isRegularFile();
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        }
    }

    private static String row(String dom, String id) {
        Matcher m = Pattern.compile("<tr[^>]*id=\"" + id + "\".*?</tr>", Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("row " + id + " in the page").isTrue();
        return m.group();
    }

    private String chromium(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile")));
        cmd.addAll(List.of(args));
        Tools.Result r = Tools.exec(Map.of(), null, cmd.toArray(String[]::new));
        assertThat(r.exit()).as("chromium %s: %s", args[0], r.err()).isZero();
        return r.out();
    }
}
