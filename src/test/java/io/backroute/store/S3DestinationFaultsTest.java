package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** S3 failures are classified (bad key and missing bucket permanent, server down transient), and a 200 MiB artifact goes up in forced 5 MiB parts intact. */
class S3DestinationFaultsTest {

    static S3TestServer server;
    static CamelContext camel;
    static Path work;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        server = new S3TestServer();
        camel = new DefaultCamelContext();
        camel.start();
        work = Files.createTempDirectory("s3-faults-");
        file = TestFiles.random(work.resolve("a.bin"), 1024 * 1024, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        camel.close();
    }

    private Destination destination(Map<String, String> options) {
        return new S3Destination.Provider().create("s3-primary", options, camel);
    }

    @Test
    void wrongSecretKeyIsPermanentAndNeverShowsTheSecret() {
        Map<String, String> o = server.options();
        o.put("secretKey", "wrong-Secret-Key-0042");
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "s3-primary", true, "wrong-Secret-Key-0042");
        }
    }

    @Test
    void missingBucketIsPermanent() {
        Map<String, String> o = server.options();
        o.put("bucket", "no-such-bucket");
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "s3-primary", true, S3TestServer.SECRET_KEY);
        }
    }

    @Test
    void serverDownIsTransient() throws Exception {
        Map<String, String> o;
        try (S3TestServer down = new S3TestServer()) {
            o = down.options();
        }
        try (Destination d = destination(o)) {
            Faults.assertFails(() -> d.put(file, "job/a.bin"), "s3-primary", false, S3TestServer.SECRET_KEY);
        }
    }

    @Test
    void twoHundredMebibyteArtifactUploadsInFiveMebibyteParts() throws Exception {
        Path large = TestFiles.random(work.resolve("large.bin"), 200L * 1024 * 1024 + 17, 11);
        Map<String, String> o = server.options();
        o.put("partSize", String.valueOf(5L * 1024 * 1024));
        try (S3Destination d = (S3Destination) destination(o)) {
            d.put(large, "large/large.bin");

            assertThat(d.stat("large/large.bin")).hasValue(Files.size(large));
            // a multipart ETag ends in -<parts>: proves the forced part size was used
            String etag = d.client().headObject(b -> b.bucket(S3TestServer.BUCKET).key("large/large.bin")).eTag();
            assertThat(etag.replace("\"", "")).endsWith("-41");
            assertThat(TestFiles.sha256sum(server.blobFile("large/large.bin"))).isEqualTo(TestFiles.sha256sum(large));
            assertThat(d.sweepTemp("large", java.time.Duration.ZERO)).as("no incomplete upload left").isEmpty();
        } finally {
            Files.delete(large);
        }
    }

    @Test
    void serverStoppedMidMultipartUploadLeavesNoObjectAndTheNextSweepAbortsTheUpload() throws Exception {
        Path big = TestFiles.random(work.resolve("mid.bin"), 30L * 1024 * 1024 + 5, 29);
        Map<String, String> o = server.options();
        o.put("partSize", String.valueOf(5L * 1024 * 1024));
        java.util.concurrent.CountDownLatch thirdPart = new java.util.concurrent.CountDownLatch(1);
        // parts 1 and 2 are stored; part 3 is held in the server while it is stopped under it
        server.onPart(n -> {
            if (n == 3) {
                thirdPart.countDown();
                java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofSeconds(2).toNanos());
            }
        });
        java.util.concurrent.CompletableFuture<Void> stopper = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                assertThat(thirdPart.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (S3Destination d = (S3Destination) destination(o)) {
            Faults.assertFails(() -> d.put(big, "mid/mid.bin"), "s3-primary", false, S3TestServer.SECRET_KEY);
            stopper.get(60, java.util.concurrent.TimeUnit.SECONDS);
            server.onPart(null);
            server.restart();

            assertThat(d.stat("mid/mid.bin")).as("no object visible").isEmpty();
            assertThat(d.list("mid")).isEmpty();
            // the cleanup could not reach the stopped server: the incomplete upload waits for the next run's sweep
            assertThat(d.client().listMultipartUploads(b -> b.bucket(S3TestServer.BUCKET).prefix("mid/")).uploads())
                    .singleElement().satisfies(u -> assertThat(u.key()).isEqualTo("mid/mid.bin"));
            assertThat(d.sweepTemp("mid", java.time.Duration.ZERO)).containsExactly("mid/mid.bin");
            assertThat(d.client().listMultipartUploads(b -> b.bucket(S3TestServer.BUCKET).prefix("mid/")).uploads()).isEmpty();

            // and the same destination works again
            d.put(big, "mid/mid.bin");
            assertThat(TestFiles.sha256sum(server.blobFile("mid/mid.bin"))).isEqualTo(TestFiles.sha256sum(big));
        } finally {
            server.onPart(null);
            Files.deleteIfExists(big);
        }
    }
}
