package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.testsupport.SambaTestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the camel-smb 4.17 defect behind SmbDestination's {@code fileExist=TryRename}: with {@code tempFileName} and
 * the default {@code fileExist=Override}, the producer checks the target's existence before it has connected and fails
 * with "NullPointerException ... this.share is null". TryRename skips that check, but renames onto an existing name
 * fail and leave the temp behind, so SmbDestination refuses existing keys first and removes or sweeps the temp.
 * The first test fails when a Camel upgrade fixes the defect: then the workaround can go.
 */
class SmbTempFileWorkaroundTest {

    static SambaTestServer server;
    static CamelContext camel;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        server = new SambaTestServer();
        camel = new DefaultCamelContext();
        camel.start();
        file = TestFiles.random(Files.createTempDirectory("smb-pin-").resolve("a.bin"), 256 * 1024, 13);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        camel.close();
    }

    private static String uri(String dir, String fileExist) {
        return "smb:127.0.0.1:" + server.port() + "/" + SambaTestServer.SHARE + "/" + dir + "?username=" + SambaTestServer.USER
                + "&password=RAW(" + SambaTestServer.PASSWORD + ")&tempFileName=${file:onlyname}.part&disconnect=true"
                + (fileExist == null ? "" : "&fileExist=" + fileExist);
    }

    private static Exchange send(String uri, String name) {
        try (ProducerTemplate t = camel.createProducerTemplate()) {
            return t.send(uri, ex -> {
                ex.getMessage().setBody(file.toFile());
                ex.getMessage().setHeader(Exchange.FILE_NAME, name);
            });
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path dir(String name) throws Exception {
        Path d = Files.createDirectories(server.shareDir().resolve(name));
        server.chownToUser(d);
        return d;
    }

    @Test
    void camelSmbWithTempFileNameAndDefaultFileExistStillFailsBeforeConnecting() throws Exception {
        Path d = dir("defect");
        Exchange result = send(uri("defect", null), "a.bin");

        assertThat(result.getException()).as("camel-smb fixed? then drop fileExist=TryRename from SmbDestination").isNotNull();
        assertThat(RemoteDestination.find(result.getException(), NullPointerException.class)).isNotNull()
                .hasMessageContaining("share");
        assertThat(d.resolve("a.bin")).doesNotExist();
    }

    @Test
    void tryRenameUploadsThroughTheTempNameButLeavesItBehindWhenTheTargetExists() throws Exception {
        Path d = dir("workaround");
        Exchange first = send(uri("workaround", "TryRename"), "a.bin");
        assertThat(first.getException()).isNull();
        assertThat(TestFiles.sha256sum(d.resolve("a.bin"))).isEqualTo(TestFiles.sha256sum(file));
        assertThat(d.resolve("a.bin.part")).doesNotExist();

        Files.writeString(d.resolve("b.bin"), "someone else's file\n");
        server.chownToUser(d.resolve("b.bin"));
        Exchange second = send(uri("workaround", "TryRename"), "b.bin");
        assertThat(Files.readString(d.resolve("b.bin"))).as("never overwritten").isEqualTo("someone else's file\n");
        assertThat(d.resolve("b.bin.part")).as("the leftover SmbDestination has to clean").exists();
        assertThat(second.getException() == null ? "" : second.getException().toString()).doesNotContain(SambaTestServer.PASSWORD);
    }

    @Test
    void smbDestinationUploadsNewKeysRefusesExistingOnesAndSweepsALeftoverTemp() throws Exception {
        Path d = dir("dest");
        Files.createDirectories(d.resolve("job"));
        server.chownToUser(d.resolve("job"));
        Files.writeString(d.resolve("job/a.bin"), "existing\n");
        server.chownToUser(d.resolve("job/a.bin"));
        Files.writeString(d.resolve("job/b.bin.part"), "left by a failed rename\n");
        server.chownToUser(d.resolve("job/b.bin.part"));
        try (Destination dest = new SmbDestination.Provider().create("nas-smb", server.options("dest"), camel)) {
            // through camel-smb with tempFileName: without TryRename this put hits the defect above
            dest.put(file, "job/c.bin");
            assertThat(TestFiles.sha256sum(d.resolve("job/c.bin"))).isEqualTo(TestFiles.sha256sum(file));

            Faults.assertFails(() -> dest.put(file, "job/a.bin"), "nas-smb", true, SambaTestServer.PASSWORD);
            assertThat(Files.readString(d.resolve("job/a.bin"))).isEqualTo("existing\n");
            assertThat(d.resolve("job/a.bin.part")).doesNotExist();

            assertThat(dest.sweepTemp("job", Duration.ZERO)).containsExactly("job/b.bin.part");
            assertThat(d.resolve("job/b.bin.part")).doesNotExist();
        }
    }
}
