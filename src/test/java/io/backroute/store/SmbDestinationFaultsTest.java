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
}
