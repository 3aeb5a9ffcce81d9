package io.backroute.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.SqliteRunCatalog;
import io.backroute.store.SftpDestination;
import io.backroute.testsupport.SftpTestServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Proves a retention pass over 50 runs at SFTP (list, 50 manifest reads, 80 deletes) runs over one SSH session, counted by the server, and logs its time. */
class SftpRetentionSessionIT {

    private static final Logger LOG = LoggerFactory.getLogger(SftpRetentionSessionIT.class);
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void retentionPassOverFiftyRunsUsesOneSshSession() throws Exception {
        try (SftpTestServer server = new SftpTestServer(); CamelContext camel = new DefaultCamelContext();
             SqliteRunCatalog catalog = new SqliteRunCatalog(tmp.resolve("catalog.db"))) {
            camel.start();
            Path dir = Files.createDirectories(server.root().resolve("r/orders"));
            for (int i = 0; i < 50; i++) {
                writeRun(dir, NOW.minus(Duration.ofHours(i + 1)));
            }
            try (SftpDestination dest = new SftpDestination("sftp-r", server.options("r"), camel)) {
                RetentionService service = new RetentionService(n -> dest, catalog, Duration.ofHours(6), Clock.fixed(NOW, ZoneOffset.UTC));
                long sessionsBefore = server.sessionsOpened();
                long t0 = System.nanoTime();
                RetentionRun run = service.run("orders", "sftp-r", RetentionPolicy.parse(Map.of("keep-last", "10")), false);
                long millis = (System.nanoTime() - t0) / 1_000_000;
                long sessions = server.sessionsOpened() - sessionsBefore;
                LOG.info("retention pass over 50 runs at SFTP: {} ms, {} SSH session(s)", millis, sessions);

                assertThat(run.error()).isNull();
                assertThat(run.kept()).isEqualTo(10);
                assertThat(run.removed()).isEqualTo(40);
                try (var files = Files.list(dir)) {
                    assertThat(files.count()).isEqualTo(20);
                }
                assertThat(sessions).as("SSH sessions opened by one retention pass").isEqualTo(1);
            }
        }
    }

    /** One run's artifact and manifest, written straight into the server's directory. */
    private static void writeRun(Path dir, Instant time) throws Exception {
        String file = "orders-" + TS.format(time) + ".sqlite.zst.gpg";
        Files.writeString(dir.resolve(file), "ciphertext of " + file);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "orders", "orders-" + TS.format(time) + "-abcd", file,
                "sqlite", "sqlite", null, time, time.plusSeconds(5), 10, "00", 20, "11", Map.of("algorithm", "zstd"),
                Map.of("algorithm", "openpgp"), Map.of(), Map.of("backroute", "test"), "gpg --decrypt " + file);
        try (OutputStream out = Files.newOutputStream(dir.resolve(file + Manifest.SUFFIX))) {
            ManifestJson.write(m, out);
        }
    }
}
