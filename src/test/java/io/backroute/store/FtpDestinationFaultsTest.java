package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.testsupport.FtpTestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** FTP failures are classified (auth and missing directory permanent, server down and dropped transfers transient) and leave nothing under the key. */
class FtpDestinationFaultsTest {

    static FtpTestServer server;
    static CamelContext camel;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        server = FtpTestServer.ftp();
        Files.createDirectories(server.home().resolve("backups"));
        camel = new DefaultCamelContext();
        camel.start();
        file = TestFiles.random(Files.createTempDirectory("ftp-faults-").resolve("a.bin"), 4L * 1024 * 1024, 7);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        camel.close();
    }

    private Destination destination(Map<String, String> options) {
        return new FtpDestination.Provider().create("ftp-nas", options, camel);
    }

    @Test
    void wrongPasswordIsPermanentAndNeverShowsThePassword() {
        Map<String, String> o = server.options("backups");
        o.put("password", "wrong-Pw-secret-123");
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "ftp-nas", true, "wrong-Pw-secret-123");
        }
    }

    @Test
    void missingDirectoryIsPermanent() {
        try (Destination d = destination(server.options("no-such-dir"))) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "ftp-nas", true, FtpTestServer.PASSWORD);
        }
    }

    @Test
    void transferDroppedMidUploadIsTransientAndLeavesNothingUnderTheKey() {
        server.failUploadsAfter(1024 * 1024);
        try (Destination d = destination(server.options("backups"))) {
            Faults.assertFails(() -> d.put(file, "dropped/a.bin"), "ftp-nas", false, FtpTestServer.PASSWORD);
            server.failUploadsAfter(-1);
            assertThat(d.stat("dropped/a.bin")).isEmpty();
            assertThat(Files.exists(server.home().resolve("backups/dropped/a.bin.part"))).as("temp removed").isFalse();
            assertThat(Files.exists(server.home().resolve("backups/dropped/a.bin"))).isFalse();
        } finally {
            server.failUploadsAfter(-1);
        }
    }

    @Test
    void serverDownIsTransient() throws Exception {
        FtpTestServer down = FtpTestServer.ftp();
        Map<String, String> o = down.options("");
        down.stop();
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "ftp-nas", false, FtpTestServer.PASSWORD);
        }
    }
}
