package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackrouteService;
import io.backroute.BackupException;
import io.backroute.codec.DemoKeys;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the key canary: written to two recipients it decrypts with each key (and with gpg), a key it was not written for, a corrupt canary or a replaced manifest fail with "the escrow key no longer decrypts", and the scheduled check alerts. */
class KeyCanaryTest {

    @TempDir
    static Path keys;

    @TempDir
    Path tmp;

    static Path a;
    static Path b;
    static Path stranger;

    @BeforeAll
    static void keyPairs() throws Exception {
        a = DemoKeys.ensure(keys.resolve("a")).getParent();
        b = DemoKeys.ensure(keys.resolve("b")).getParent();
        stranger = DemoKeys.ensure(keys.resolve("c")).getParent();
    }

    static Path pub(Path dir) { return dir.resolve(DemoKeys.PUBLIC_FILE); }
    static DecryptionKey secret(Path dir) { return new DecryptionKey(dir.resolve(DemoKeys.SECRET_FILE), new char[0]); }

    @Test
    void canaryForTwoRecipientsDecryptsWithEachKeyAndWithGpg() throws Exception {
        KeyCanary.Written w = KeyCanary.write(List.of(pub(a), pub(b)), tmp);

        assertThat(w.file()).isEqualTo(tmp.resolve("canary").resolve(w.id() + ".gpg")).exists();
        assertThat(w.fingerprints()).hasSize(2);
        assertThat(KeyCanary.check(tmp, secret(a))).singleElement().satisfies(c -> assertThat(c.id()).isEqualTo(w.id()));
        assertThat(KeyCanary.check(tmp, secret(b))).singleElement().satisfies(c -> assertThat(c.written()).isEqualTo(w.time()));
        Map<String, String> gpg = Tools.gpgHomeWith(tmp.resolve("gnupg"), b.resolve(DemoKeys.SECRET_FILE));
        String plain = Tools.run(gpg, null, "gpg", "--batch", "--quiet", "--decrypt", w.file().toString());
        assertThat(plain).contains("\"kind\":\"backroute-key-canary\"").contains(w.fingerprints().get(0))
                .contains(w.fingerprints().get(1)).contains(w.time().toString()).containsPattern("\"token\":\"[0-9a-f]{64}\"");
    }

    @Test
    void keyTheCanaryWasNotWrittenForFailsWithTheEscrowMessage() throws Exception {
        KeyCanary.write(List.of(pub(a), pub(b)), tmp);

        assertThatThrownBy(() -> KeyCanary.check(tmp, secret(stranger))).isInstanceOf(BackupException.class)
                .hasMessageStartingWith("the escrow key no longer decrypts: no key canary at " + tmp.resolve("canary"))
                .hasMessageContaining(stranger.resolve(DemoKeys.SECRET_FILE).toString());
    }

    @Test
    void corruptCanaryFailsWithTheEscrowMessage() throws Exception {
        KeyCanary.Written w = KeyCanary.write(List.of(pub(a)), tmp);
        try (RandomAccessFile f = new RandomAccessFile(w.file().toFile(), "rw")) {
            f.seek(f.length() - 30);
            int v = f.read();
            f.seek(f.length() - 30);
            f.write(v ^ 0x40);
        }

        assertThatThrownBy(() -> KeyCanary.check(tmp, secret(a)))
                .hasMessageStartingWith("the escrow key no longer decrypts: canary " + w.id() + ".gpg at ");
    }

    @Test
    void canaryWhoseManifestWasReplacedFails() throws Exception {
        KeyCanary.Written w = KeyCanary.write(List.of(pub(a)), tmp);
        Path manifest = tmp.resolve("canary").resolve(w.id() + ".json");
        Files.writeString(manifest, Files.readString(manifest).replaceAll("\"tokenSha256\" : \"[0-9a-f]+\"",
                "\"tokenSha256\" : \"" + "0".repeat(64) + "\""));

        assertThatThrownBy(() -> KeyCanary.check(tmp, secret(a)))
                .hasMessageContaining("the escrow key no longer decrypts: canary " + w.id() + ".gpg")
                .hasMessageContaining("differ from its manifest");
    }

    @Test
    void scheduledCheckSendsTheFailureToTheAlertRoute() throws Exception {
        Workspace ws = new Workspace(tmp);
        KeyCanary.write(List.of(pub(a)), ws.data);
        ws.set("backroute.canary.cron", "* * * * * ?").set("backroute.canary.key", stranger.resolve(DemoKeys.SECRET_FILE).toString());
        try (LogCapture logs = new LogCapture(Level.WARN);
             BackrouteService s = new BackrouteService(Path.of("config/application.properties"), true, ws.props)) {
            s.start();
            assertThat(s.camel().getRoute("key-canary")).isNotNull();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logs.events.stream().anyMatch(e ->
                    e.getLoggerName().equals("io.backroute.alert") && e.getMessage().getFormattedMessage()
                            .startsWith("ALERT [backroute] KEY_CANARY_FAILED: key canary check failed")));
        }
    }
}
