package io.backroute.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link ThrottledProxy} delivers the client's bytes intact (SHA-256 computed by the server behind it), holds
 * its rate within a tolerance, applies a rate change at once, and closes both sides on close.
 */
class ThrottledProxyTest {

    /** A server that hashes everything it receives until EOF, answers the 32-byte digest, then closes. */
    private ServerSocket sink;
    private final AtomicLong received = new AtomicLong();
    private volatile long lastByteNanos;
    private final CompletableFuture<Void> sinkSawEof = new CompletableFuture<>();

    @BeforeEach
    void startSink() throws IOException {
        sink = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = sink.accept()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                    received.addAndGet(n);
                    lastByteNanos = System.nanoTime();
                }
                sinkSawEof.complete(null);
                s.getOutputStream().write(md.digest());
            } catch (Exception e) {
                sinkSawEof.completeExceptionally(e);
            }
        }, "proxy-test-sink");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stopSink() throws IOException {
        sink.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes the payload in 8 KiB pieces on another thread; the caller watches the server side. */
    private static CompletableFuture<byte[]> send(Socket s, byte[] payload) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < payload.length; off += 8192) {
                    out.write(payload, off, Math.min(8192, payload.length - off));
                }
                s.shutdownOutput();
                return s.getInputStream().readNBytes(32);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void deliversTheBytesIntactAtTheConfiguredRate() throws Exception {
        byte[] payload = random(256 * 1024, 1);
        try (ThrottledProxy proxy = new ThrottledProxy("127.0.0.1", sink.getLocalPort(), 128 * 1024);
             Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            long t0 = System.nanoTime();
            byte[] digest = send(client, payload).get(20, TimeUnit.SECONDS);
            double seconds = (lastByteNanos - t0) / 1e9;

            assertThat(digest).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
            assertThat(received.get()).isEqualTo(payload.length);
            // 256 KiB at 128 KiB/s: 2 s; no burst ahead of the rate, a little scheduling slack behind it
            assertThat(seconds).as("transfer time in s").isBetween(1.85, 2.6);
            assertThat(proxy.bytesUp()).isEqualTo(payload.length);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 0);
        }
    }

    @Test
    void aRateChangeTakesEffectWhileRunning() throws Exception {
        byte[] payload = random(2 * 1024 * 1024, 2);
        try (ThrottledProxy proxy = new ThrottledProxy("127.0.0.1", sink.getLocalPort(), 32 * 1024);
             Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            CompletableFuture<byte[]> sent = send(client, payload);
            Awaitility.await("first throttled bytes").atMost(Duration.ofSeconds(5)).until(() -> received.get() >= 16 * 1024);
            assertThat(sent).as("2 MiB at 32 KiB/s takes a minute").isNotDone();
            long t0 = System.nanoTime();
            proxy.rate(0);

            byte[] digest = sent.get(10, TimeUnit.SECONDS);
            assertThat(digest).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
            assertThat(Duration.ofNanos(lastByteNanos - t0)).as("rest after lifting the limit").isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void closeClosesBothSides() throws Exception {
        ThrottledProxy proxy = new ThrottledProxy("127.0.0.1", sink.getLocalPort(), 0);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.getOutputStream().write(random(1000, 3));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> received.get() == 1000);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.getInputStream().read();
                } catch (IOException e) {
                    return -2;
                }
            });

            proxy.close();

            assertThat(read.get(5, TimeUnit.SECONDS)).as("client sees EOF or reset").isNegative();
            sinkSawEof.get(5, TimeUnit.SECONDS);
            assertThat(proxy.links()).singleElement().satisfies(l -> {
                assertThat(l.open()).isFalse();
                assertThat(l.bytesUp()).isEqualTo(1000);
            });
        }
    }
}
