package io.backroute.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.backroute.BackrouteService;
import io.backroute.catalog.RunStatus;
import io.backroute.cli.BackrouteCli;
import io.backroute.cli.ExitCodes;
import io.backroute.config.ConfigurationException;
import io.backroute.testsupport.Workspace;
import jakarta.mail.internet.MimeMessage;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.Tools;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.security.KeyStore;
import org.apache.logging.log4j.Level;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Proves the mail channel over SMTPS and STARTTLS with auth, startup problems mailed before a non-zero exit, and secrets kept out of config and messages. */
class AlertMailTest {

    static final String PASSWORD = "smtp-Secret-43";
    static final Path SERVER_KEYSTORE = serverKeystore();

    @RegisterExtension
    static GreenMailExtension mail = new GreenMailExtension(new ServerSetup[] {slow(ServerSetupTest.SMTP), slow(ServerSetupTest.SMTPS)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts", PASSWORD));

    @TempDir
    Path tmp;

    Workspace ws;

    @BeforeEach
    void setUp() throws Exception {
        System.setProperty("backroute.test.smtp-password", PASSWORD);
        ws = new Workspace(tmp);
        ws.set("backroute.alert.mail.to", "ops@example.org")
                .set("backroute.alert.mail.host", "127.0.0.1")
                .set("backroute.alert.mail.username", "alerts")
                .set("backroute.alert.mail.password", "{{sys:backroute.test.smtp-password}}")
                .set("backroute.alert.mail.truststore", greenMailTrustStore(tmp).toString())
                .set("backroute.alert.mail.timeout", "5s");
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("backroute.test.smtp-password");
    }

    @Test
    void failedRunIsMailedOverSmtpsWithAuth() throws Exception {
        ws.set("backroute.alert.mail.security", "ssl").set("backroute.alert.mail.port", String.valueOf(mail.getSmtps().getPort()));
        assertFailedRunIsMailed();
    }

    @Test
    void starttlsIsRequiredSoAServerWithoutItIsAFailedChannelLoggedAndCounted() throws Exception {
        // GreenMail's SMTP offers no STARTTLS: with security=starttls the mail must not go out in clear text.
        ws.set("backroute.alert.mail.security", "starttls").set("backroute.alert.mail.port", String.valueOf(mail.getSmtp().getPort()));
        try (LogCapture errors = new LogCapture(Level.ERROR); BackrouteService s = ws.service()) {
            s.start();
            Files.writeString(Path.of(ws.props.get("jobs.demo.sqlite")), "garbage\n".repeat(100));
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.FAILED);
            AlertStats stats = s.camel().getRegistry().lookupByNameAndType(AlertService.STATS_BEAN, AlertStats.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> stats.failed("demo") == 1);
            assertThat(errors.messages()).anyMatch(m -> m.contains("could not be delivered to channel mail: STARTTLS is required"));
            assertThat(errors.messages()).noneMatch(m -> m.contains(PASSWORD));
        }
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    static ServerSetup slow(ServerSetup s) {
        ServerSetup d = s.dynamicPort();
        d.setServerStartupTimeout(15_000);
        return d;
    }

    /**
     * GreenMail's bundled certificate has no subject alternative name, which JavaMail's server identity check rightly
     * rejects: the SMTPS server gets a keytool-made certificate for 127.0.0.1 instead.
     */
    static Path serverKeystore() {
        try {
            Path dir = Files.createTempDirectory("greenmail-tls");
            Path ks = dir.resolve("server.p12");
            Tools.run(java.util.Map.of(), dir, "keytool", "-genkeypair", "-alias", "greenmail", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit");
            System.setProperty("greenmail.tls.keystore.file", ks.toString());
            System.setProperty("greenmail.tls.keystore.password", "changeit");
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A trust store holding only the SMTPS server's self-signed certificate, as an operator would make for a private relay. */
    static Path greenMailTrustStore(Path dir) throws Exception {
        KeyStore gm = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(SERVER_KEYSTORE)) {
            gm.load(in, "changeit".toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("greenmail", gm.getCertificate(gm.aliases().nextElement()));
        Path file = dir.resolve("alert-truststore.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, "changeit".toCharArray());
        }
        return file;
    }

    private void assertFailedRunIsMailed() throws Exception {
        try (BackrouteService s = ws.service()) {
            s.start();
            Files.writeString(Path.of(ws.props.get("jobs.demo.sqlite")), "garbage\n".repeat(100));
            assertThat(s.runtime().runNow("demo", "test").status()).isEqualTo(RunStatus.FAILED);
            await().atMost(Duration.ofSeconds(20)).until(() -> mail.getReceivedMessages().length == 1);
        }
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).startsWith("[backroute] FAILED demo");
        assertThat(GreenMailUtil.getWholeMessage(m)).doesNotContain(PASSWORD);
    }

    @Test
    void startupWithAnInvalidConfigExitsWithTheConfigCodeAfterMailingEveryProblem() throws Exception {
        ws.set("backroute.alert.mail.security", "none").set("backroute.alert.mail.port", String.valueOf(mail.getSmtp().getPort()))
                .set("jobs.demo.cron", "every hour");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackrouteCli.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "--config", ws.writeConfig().toString(), "jobs");
        assertThat(code).isEqualTo(ExitCodes.CONFIG);
        assertThat(err.toString()).contains("cron 'every hour' is invalid");
        // Sent synchronously before the exit: no waiting needed.
        assertThat(mail.getReceivedMessages()).hasSize(1);
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[backroute] STARTUP_INVALID: 1 configuration problem; nothing was scheduled");
        assertThat(GreenMailUtil.getWholeMessage(m)).contains("every hour").contains("What to do");
    }

    @Test
    void literalMailPasswordIsRejectedAtStartupWithoutRevealingIt() {
        ws.set("backroute.alert.mail.security", "none").set("backroute.alert.mail.port", String.valueOf(mail.getSmtp().getPort()))
                .set("backroute.alert.mail.password", PASSWORD);
        try (BackrouteService s = ws.service()) {
            assertThatThrownBy(s::start).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("backroute.alert.mail.password: a literal password is not allowed")
                    .hasMessageContaining("{{env:BACKROUTE_SMTP_PASSWORD}}")
                    .hasMessageNotContaining(PASSWORD);
        }
        // The mail channel itself is invalid, so nothing is sent.
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void unknownAlertEndpointIsAStartupProblem() {
        ws.set("backroute.alert.endpoints", "nosuchcomponent:hook?token=abc")
                .set("backroute.alert.mail.security", "none").set("backroute.alert.mail.port", String.valueOf(mail.getSmtp().getPort()));
        try (BackrouteService s = ws.service()) {
            assertThatThrownBy(s::start).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("backroute.alert.endpoints: nosuchcomponent:hook");
        }
        assertThat(mail.getReceivedMessages()).singleElement().satisfies(m -> assertThat(m.getSubject()).contains("STARTUP_INVALID"));
    }
}
