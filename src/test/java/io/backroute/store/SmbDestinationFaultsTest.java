package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.testsupport.SambaTestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SMB failures are classified: wrong password and missing share or directory permanent, smbd down transient. */
class SmbDestinationFaultsTest {

    static SambaTestServer server;
    static CamelContext camel;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        server = new SambaTestServer();
        camel = new DefaultCamelContext();
        camel.start();
        file = TestFiles.random(Files.createTempDirectory("smb-faults-").resolve("a.bin"), 1024 * 1024, 9);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        camel.close();
    }

    private Destination destination(Map<String, String> options) {
        return new SmbDestination.Provider().create("nas-smb", options, camel);
    }

    @Test
    void wrongPasswordIsPermanentAndNeverShowsThePassword() {
        Map<String, String> o = server.options("");
        o.put("password", "wrong-Pw-secret-789");
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "nas-smb", true, "wrong-Pw-secret-789");
        }
    }

    @Test
    void missingShareIsPermanent() {
        Map<String, String> o = server.options("");
        o.put("share", "nosuchshare");
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "nas-smb", true, SambaTestServer.PASSWORD);
        }
    }

    @Test
    void missingDirectoryIsPermanent() {
        try (Destination d = destination(server.options("no-such-dir"))) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "nas-smb", true, SambaTestServer.PASSWORD);
        }
    }

    @Test
    void smbdDownIsTransientAndBackUpWorksAgain() throws Exception {
        try (Destination d = destination(server.options(""))) {
            server.stop();
            try {
                Faults.assertFails(() -> d.put(file, "down/a.bin"), "nas-smb", false, SambaTestServer.PASSWORD);
            } finally {
                server.start();
            }
            d.put(file, "down/a.bin");
            assertThat(d.stat("down/a.bin")).hasValue(Files.size(file));
        }
    }

    @Test
    void smbdKilledMidUploadLeavesNoFileAndTheNextSweepRemovesTheTemp() throws Exception {
        Path big = TestFiles.random(Files.createTempDirectory("smb-mid-").resolve("big.bin"), 96L * 1024 * 1024, 31);
        Path dir = Files.createDirectories(server.shareDir().resolve("mid"));
        server.chownToUser(dir);
        Path temp = dir.resolve("job/big.bin.part");
        try (Destination d = destination(server.options("mid"))) {
            java.util.concurrent.CompletableFuture<Throwable> upload = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    d.put(big, "job/big.bin");
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            org.awaitility.Awaitility.await("upload under way").atMost(java.time.Duration.ofSeconds(30))
                    .pollInterval(java.time.Duration.ofMillis(5))
                    .until(() -> Files.exists(temp) && Files.size(temp) > 4L * 1024 * 1024 || upload.isDone());
            server.stop();
            Throwable failure;
            try {
                failure = upload.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                server.start();
            }
            Faults.assertFails(() -> {
                if (failure != null) {
                    throw failure;
                }
            }, "nas-smb", false, SambaTestServer.PASSWORD);

            assertThat(dir.resolve("job/big.bin")).as("nothing under the final name").doesNotExist();
            assertThat(d.stat("job/big.bin")).isEmpty();
            // the cleanup could not reach the dead smbd: the temp waits for the next run's sweep
            assertThat(temp).exists();
            assertThat(d.sweepTemp("job", java.time.Duration.ZERO)).containsExactly("job/big.bin.part");
            assertThat(temp).doesNotExist();
        } finally {
            Files.deleteIfExists(big);
        }
    }
}
