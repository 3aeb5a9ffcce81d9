package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.testsupport.FtpTestServer;
import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.SftpTestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves aborting a transfer scope closes the connections of an upload in flight on a slow FTP, SFTP and S3 server:
 * the blocked put fails within seconds instead of running to the end, nothing is visible under the key, and the temp
 * name or incomplete multipart upload is gone.
 */
class TransferAbortTest {

    static CamelContext camel;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        work = Files.createTempDirectory("abort-");
    }

    @AfterAll
    static void stop() throws Exception {
        camel.close();
    }

    /** Runs a put in a scope aborted after {@code after}; returns how long the put took to fail. */
    private static Duration putAbortedAfter(Destination d, Path file, String key, Duration after) {
        long t0 = System.nanoTime();
        try (Transfers.Scope scope = Transfers.begin()) {
            CompletableFuture.runAsync(() -> scope.abort("test deadline"),
                    CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS));
            assertThatThrownBy(() -> d.put(file, key)).isInstanceOfSatisfying(DestinationException.class,
                    e -> assertThat(e.getMessage()).startsWith(d.name() + ": "));
            assertThat(scope.aborted()).isEqualTo("test deadline");
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void abortClosesAnFtpUploadThrottledByTheServer() throws Exception {
        // 4 MiB at 256 KiB/s: 16 s to the end
        Path file = TestFiles.random(work.resolve("ftp.bin"), 4L * 1024 * 1024, 1);
        try (FtpTestServer server = FtpTestServer.ftpWithUploadRate(256 * 1024)) {
            Files.createDirectories(server.home().resolve("b"));
            try (Destination d = new FtpDestination.Provider().create("slow-ftp", server.options("b"), camel)) {
                Duration took = putAbortedAfter(d, file, "job/a.bin", Duration.ofMillis(800));

                assertThat(took).isLessThan(Duration.ofSeconds(8));
                assertThat(d.stat("job/a.bin")).isEmpty();
                assertThat(server.home().resolve("b/job/a.bin.part")).doesNotExist();
                assertThat(server.home().resolve("b/job/a.bin")).doesNotExist();
            }
        }
    }

    @Test
    void abortClosesAnSftpUploadToASlowServer() throws Exception {
        // 64 KiB per 200 ms write round: well over 10 s to the end
        Path file = TestFiles.random(work.resolve("sftp.bin"), 4L * 1024 * 1024, 2);
        try (SftpTestServer server = new SftpTestServer()) {
            Files.createDirectories(server.root().resolve("b"));
            server.slowWrites(200);
            try (Destination d = new SftpDestination.Provider().create("slow-sftp", server.options("b"), camel)) {
                Duration took = putAbortedAfter(d, file, "job/a.bin", Duration.ofMillis(1500));
                server.slowWrites(0);

                assertThat(took).isLessThan(Duration.ofSeconds(8));
                assertThat(d.stat("job/a.bin")).isEmpty();
                assertThat(server.root().resolve("b/job/a.bin.part")).doesNotExist();
            }
        }
    }

    @Test
    void abortClosesAnS3MultipartUploadAndAbortsIt() throws Exception {
        Path file = TestFiles.random(work.resolve("s3.bin"), 12L * 1024 * 1024, 3);
        try (S3TestServer server = new S3TestServer()) {
            // the server takes 20 s before it reads a part
            server.onPart(n -> LockSupport.parkNanos(Duration.ofSeconds(20).toNanos()));
            Map<String, String> o = server.options();
            o.put("partSize", String.valueOf(5L * 1024 * 1024));
            try (S3Destination d = (S3Destination) new S3Destination.Provider().create("slow-s3", o, camel)) {
                Duration took = putAbortedAfter(d, file, "job/a.bin", Duration.ofMillis(800));
                server.onPart(null);

                assertThat(took).isLessThan(Duration.ofSeconds(8));
                assertThat(d.stat("job/a.bin")).isEmpty();
                assertThat(d.client().listMultipartUploads(b -> b.bucket(S3TestServer.BUCKET)).uploads())
                        .as("incomplete upload aborted").isEmpty();
            }
        }
    }
}
