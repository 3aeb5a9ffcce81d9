package io.backroute.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Gate;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.Workspace;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Proves run alerts reach a real SMTP server (HTML + text) and a real webhook (JSON): failure, partial, recovery, dedupe, broken channel. */
class AlertRouteTest {

    static final String PASSWORD = "smtp-Secret-42";

    @RegisterExtension
    static GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts", PASSWORD));

    @TempDir
    Path tmp;

    Workspace ws;
    Webhook hook;
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() throws Exception {
        System.setProperty("backroute.test.smtp-password", PASSWORD);
        hook = new Webhook();
        ws = new Workspace(tmp, "file:src/test/resources/routes/alerting/*.camel.yaml");
        ws.set("backroute.alert.mail.to", "ops@example.org")
                .set("backroute.alert.mail.from", "backroute@example.org")
                .set("backroute.alert.mail.host", "127.0.0.1")
                .set("backroute.alert.mail.port", String.valueOf(mail.getSmtp().getPort()))
                .set("backroute.alert.mail.security", "none")
                .set("backroute.alert.mail.username", "alerts")
                .set("backroute.alert.mail.password", "{{sys:backroute.test.smtp-password}}")
                .set("backroute.alert.mail.timeout", "5s")
                .set("backroute.alert.endpoints", hook.url("/hook"))
                .set("backroute.destinations.second.kind", "local")
                .set("backroute.destinations.second.path", tmp.resolve("second").toString())
                .set("jobs.two-places.directory", Files.createDirectories(tmp.resolve("src")).toString());
        Files.writeString(tmp.resolve("src/a.txt"), "alpha\n".repeat(100));
    }

    @AfterEach
    void tearDown() {
        hook.close();
        System.clearProperty("backroute.test.smtp-password");
    }

    BackrouteService start() {
        BackrouteService s = ws.service().bind("gate", openGate());
        s.start();
        return s;
    }

    @Test
    void dumpFailureIsMailedAsHtmlWithTextAlternativeAndPostedAsJson() throws Exception {
        try (BackrouteService s = start()) {
            Files.writeString(sqlite(), "this is not a sqlite database\n".repeat(100));
            RunRecord r = s.runtime().runNow("demo", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);

            await().atMost(Duration.ofSeconds(20)).until(() -> mail.getReceivedMessages().length == 1 && hook.bodies.size() == 1);
            MimeMessage m = mail.getReceivedMessages()[0];
            assertThat(m.getSubject()).startsWith("[backroute] FAILED demo: backup failed: dump");
            assertThat(m.getAllRecipients()).extracting(Object::toString).containsExactly("ops@example.org");
            assertThat(m.getContent()).isInstanceOf(Multipart.class);
            Multipart alternative = (Multipart) m.getContent();
            assertThat(alternative.getContentType()).startsWith("multipart/alternative");
            String all = GreenMailUtil.getWholeMessage(m);
            assertThat(all).contains("text/plain").contains("text/html").contains(r.runId()).doesNotContain(PASSWORD);

            JsonNode n = json.readTree(hook.bodies.get(0));
            assertThat(n.get("kind").asText()).isEqualTo("FAILED");
            assertThat(n.get("job").asText()).isEqualTo("demo");
            assertThat(n.get("runId").asText()).isEqualTo(r.runId());
            assertThat(n.get("error").asText()).isEqualTo(r.error());
            assertThat(n.get("nextRun").asText()).isEqualTo(s.runtime().nextFireTime("demo").orElseThrow().toString());
            assertThat(hook.contentTypes.get(0)).startsWith("application/json");
            assertThat(s.camel().getRegistry().lookupByNameAndType(AlertService.STATS_BEAN, AlertStats.class).sent("demo")).isEqualTo(2);
        }
    }

    @Test
    void destinationBrokenMidRunGivesAPartialAlertNamingIt() throws Exception {
        Gate gate = new Gate().onArrival(() -> {
            try {
                Files.createDirectories(tmp.resolve("second"));
                Files.writeString(tmp.resolve("second/two-places"), "not a directory");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        gate.open.countDown();
        try (BackrouteService s = ws.service().bind("gate", gate)) {
            s.start();
            RunRecord r = s.runtime().runNow("two-places", "test");
            assertThat(r.status()).isEqualTo(RunStatus.PARTIAL);

            await().atMost(Duration.ofSeconds(20)).until(() -> mail.getReceivedMessages().length == 1 && hook.bodies.size() == 1);
            assertThat(mail.getReceivedMessages()[0].getSubject()).startsWith("[backroute] PARTIAL two-places: ");
            JsonNode n = json.readTree(hook.bodies.get(0));
            assertThat(n.get("kind").asText()).isEqualTo("PARTIAL");
            assertThat(n.get("destinations")).hasSize(2);
            assertThat(n.get("destinations").findValuesAsText("status")).containsExactlyInAnyOrder("OK", "FAILED");
            assertThat(GreenMailUtil.getWholeMessage(mail.getReceivedMessages()[0])).contains("second:");
        }
    }

    @Test
    void sameFailureTwiceIsAlertedOnceAndTheFirstSuccessAfterItSendsRecovered() throws Exception {
        try (BackrouteService s = start()) {
            Path good = tmp.resolve("good.sqlite");
            Files.copy(sqlite(), good);
            Files.writeString(sqlite(), "garbage\n".repeat(500));
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.FAILED);
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.FAILED);
            AlertStats stats = s.camel().getRegistry().lookupByNameAndType(AlertService.STATS_BEAN, AlertStats.class);
            assertThat(stats.suppressed("demo")).isEqualTo(1);

            Files.copy(good, sqlite(), StandardCopyOption.REPLACE_EXISTING);
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.SUCCESS);

            await().atMost(Duration.ofSeconds(20)).until(() -> hook.bodies.size() == 2 && mail.getReceivedMessages().length == 2);
            assertThat(hook.bodies.stream().map(this::kind)).containsExactly("FAILED", "RECOVERED");
            assertThat(Arrays.stream(mail.getReceivedMessages()).map(AlertRouteTest::subject))
                    .containsExactly("[backroute] FAILED demo", "[backroute] RECOVERED demo");
        }
    }

    @Test
    void undeliverableChannelIsLoggedWithItsNameAndCountedWhileTheOthersStillReceive() throws Exception {
        ws.set("backroute.alert.endpoints", hook.url("/broken") + "," + hook.url("/hook"));
        try (LogCapture errors = new LogCapture(Level.ERROR); BackrouteService s = start()) {
            Files.writeString(sqlite(), "garbage\n".repeat(500));
            long t0 = System.nanoTime();
            RunRecord r = s.runtime().runNow("demo", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));

            AlertStats stats = s.camel().getRegistry().lookupByNameAndType(AlertService.STATS_BEAN, AlertStats.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> stats.failed("demo") == 1 && stats.sent("demo") == 2);
            assertThat(hook.bodies).hasSize(1);
            assertThat(mail.getReceivedMessages()).hasSize(1);
            assertThat(errors.messages()).anyMatch(m -> m.startsWith("io.backroute.alert: alert [backroute] FAILED demo")
                    && m.contains("could not be delivered to channel " + hook.url("/broken")) && m.contains("500"));
        }
    }

    @Test
    void alertOfAFailingRunIsDeliveredEvenWhenTheServiceStopsRightAfterTheRun() throws Exception {
        try (BackrouteService s = start()) {
            Files.writeString(sqlite(), "garbage\n".repeat(500));
            assertThat(s.runtime().runNow("demo", "run-now").status()).isEqualTo(RunStatus.FAILED);
        }
        assertThat(hook.bodies).hasSize(1);
        assertThat(mail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void successIsMailedOnlyWhenTheJobAsksForIt() throws Exception {
        ws.set("jobs.demo.notify-success", "true");
        try (BackrouteService s = start()) {
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.SUCCESS);
            await().atMost(Duration.ofSeconds(20)).until(() -> hook.bodies.size() == 1);
            assertThat(kind(hook.bodies.get(0))).isEqualTo("SUCCESS");
            assertThat(s.runtime().runNow("two-places", "test").status()).isEqualTo(RunStatus.SUCCESS);
        }
        assertThat(hook.bodies).hasSize(1);
    }

    String kind(String body) {
        try {
            return json.readTree(body).get("kind").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(MimeMessage m) {
        try {
            String s = m.getSubject();
            return s.substring(0, s.indexOf(':'));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void retentionErrorAtADestinationIsAlertedNamingIt() throws Exception {
        try (io.backroute.testsupport.S3TestServer s3 = new io.backroute.testsupport.S3TestServer()) {
            s3.options().forEach((k, v) -> ws.set("backroute.destinations.second." + k, v));
            ws.set("backroute.destinations.second.kind", "s3");
            try (BackrouteService s = start()) {
                assertThat(s.runtime().runNow("two-places", "test").status()).isEqualTo(RunStatus.SUCCESS);
                s3.stop();
                s.camel().getRegistry().lookupByNameAndType("backrouteRetention", io.backroute.pipeline.RetentionRunner.class).applyAll();
                await().atMost(Duration.ofSeconds(20)).until(() -> kinds().contains("RETENTION_FAILED"));
                JsonNode n = byKind("RETENTION_FAILED");
                assertThat(n.get("job").asText()).isEqualTo("two-places");
                assertThat(n.get("summary").asText()).contains("second");
                assertThat(hook.bodies.toString()).doesNotContain(io.backroute.testsupport.S3TestServer.SECRET_KEY);
            }
        }
    }

    @Test
    void pruningSkippedBecauseTheLatestRunFailedIsAlerted() throws Exception {
        try (BackrouteService s = start()) {
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.SUCCESS);
            Files.writeString(sqlite(), "this is not a sqlite database\n".repeat(100));
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.FAILED);
            s.camel().getRegistry().lookupByNameAndType("backrouteRetention", io.backroute.pipeline.RetentionRunner.class).applyAll();
            await().atMost(Duration.ofSeconds(20)).until(() -> kinds().contains("RETENTION_SKIPPED"));
            assertThat(byKind("RETENTION_SKIPPED").get("summary").asText()).contains("latest run FAILED");
        }
    }

    private java.util.List<String> kinds() {
        return hook.bodies.stream().map(b -> {
            try {
                return json.readTree(b).get("kind").asText();
            } catch (Exception e) {
                return "";
            }
        }).toList();
    }

    private JsonNode byKind(String kind) throws Exception {
        for (String b : hook.bodies) {
            JsonNode n = json.readTree(b);
            if (kind.equals(n.get("kind").asText())) {
                return n;
            }
        }
        throw new AssertionError("no " + kind + " alert in " + hook.bodies);
    }

    Path sqlite() {
        return Path.of(ws.props.get("jobs.demo.sqlite"));
    }

    static Gate openGate() {
        Gate g = new Gate();
        g.open.countDown();
        return g;
    }
}
