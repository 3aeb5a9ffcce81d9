package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.testsupport.SftpTestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SFTP failures are classified (auth, unknown host key, missing directory permanent; server down, dropped connection transient) and leave nothing under the key. */
class SftpDestinationFaultsTest {

    static SftpTestServer server;
    static CamelContext camel;
    static Path work;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        server = new SftpTestServer();
        Files.createDirectories(server.root().resolve("backups"));
        camel = new DefaultCamelContext();
        camel.start();
        work = Files.createTempDirectory("sftp-faults-");
        file = TestFiles.random(work.resolve("a.bin"), 4L * 1024 * 1024, 5);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        camel.close();
    }

    private Destination destination(Map<String, String> options) {
        return new SftpDestination.Provider().create("sftp-dr", options, camel);
    }

    @Test
    void wrongPasswordIsPermanentAndNeverShowsThePassword() {
        Map<String, String> o = server.options("backups");
        o.put("password", "wrong-Pw-secret-456");
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "sftp-dr", true, "wrong-Pw-secret-456");
        }
    }

    @Test
    void unknownHostKeyIsRefusedPermanently() throws Exception {
        Map<String, String> o = server.options("backups");
        Path empty = Files.writeString(work.resolve("empty_known_hosts"), "");
        o.put("knownHostsFile", empty.toString());
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "sftp-dr", true, SftpTestServer.PASSWORD);
        }
    }

    @Test
    void missingDirectoryIsPermanent() {
        try (Destination d = destination(server.options("no-such-dir"))) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "sftp-dr", true, SftpTestServer.PASSWORD);
        }
    }

    @Test
    void connectionDroppedMidUploadIsTransientAndLeavesNothingUnderTheKey() {
        server.dropUploadsAfter(1024 * 1024);
        try (Destination d = destination(server.options("backups"))) {
            Faults.assertFails(() -> d.put(file, "dropped/a.bin"), "sftp-dr", false, SftpTestServer.PASSWORD);
            server.dropUploadsAfter(-1);
            assertThat(d.stat("dropped/a.bin")).isEmpty();
            assertThat(Files.exists(server.root().resolve("backups/dropped/a.bin.part"))).as("temp removed").isFalse();
        } finally {
            server.dropUploadsAfter(-1);
        }
    }

    @Test
    void serverDownIsTransient() throws Exception {
        SftpTestServer down = new SftpTestServer();
        Map<String, String> o = down.options("");
        down.stop();
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "sftp-dr", false, SftpTestServer.PASSWORD);
        }
    }

    @Test
    void sharedSessionDroppedByTheServerIsReopenedOnTheNextOperation() throws Exception {
        try (SftpDestination d = (SftpDestination) destination(server.options("backups"))) {
            d.put(file, "reuse/a.bin");
            assertThat(d.stat("reuse/a.bin")).hasValue(Files.size(file));
            long before = server.sessionsOpened();

            server.dropAllSessions();
            assertThat(d.stat("reuse/a.bin")).hasValue(Files.size(file));
            assertThat(d.list("reuse")).containsExactly("reuse/a.bin");
            try (java.io.InputStream in = d.open("reuse/a.bin")) {
                assertThat(TestFiles.sha256(in)).isEqualTo(TestFiles.sha256sum(file));
            }
            assertThat(server.sessionsOpened() - before).as("one new session for all three").isEqualTo(1);
        }
    }

    @Test
    void concurrentOperationsShareOneSessionSafely() throws Exception {
        try (SftpDestination d = (SftpDestination) destination(server.options("backups"))) {
            d.put(file, "shared/a.bin");
            d.put(file, "shared/b.bin");
            long before = server.sessionsOpened();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    int n = i;
                    results.add(pool.submit(() -> n % 3 == 0
                            ? d.list("shared").equals(List.of("shared/a.bin", "shared/b.bin"))
                            : d.stat(n % 3 == 1 ? "shared/a.bin" : "shared/b.bin").getAsLong() == Files.size(file)));
                }
                for (var r : results) {
                    assertThat(r.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                pool.shutdown();
            }
            assertThat(server.sessionsOpened() - before).isZero();
        }
    }
}
