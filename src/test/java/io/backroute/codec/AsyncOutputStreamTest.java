package io.backroute.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Proves the two-thread hand-off keeps every byte in order, closes downstream, and surfaces downstream failures without hanging. */
class AsyncOutputStreamTest {

    @Test
    void deliversEveryByteInOrderAndClosesDownstream() throws Exception {
        HashingOutputStream direct = new HashingOutputStream(OutputStream.nullOutputStream());
        HashingOutputStream viaThread = new HashingOutputStream(OutputStream.nullOutputStream());
        Random rnd = new Random(7);
        try (AsyncOutputStream async = new AsyncOutputStream(viaThread, 64 * 1024, 3, "test-async")) {
            for (int i = 0; i < 2000; i++) {
                byte[] chunk = new byte[rnd.nextInt(20_000) + 1];
                rnd.nextBytes(chunk);
                int off = rnd.nextInt(chunk.length);
                direct.write(chunk, off, chunk.length - off);
                async.write(chunk, off, chunk.length - off);
                if (i % 100 == 0) {
                    direct.write(42);
                    async.write(42);
                }
            }
        }
        direct.close();
        assertThat(viaThread.count()).isEqualTo(direct.count()).isPositive();
        assertThat(viaThread.sha256Hex()).isEqualTo(direct.sha256Hex());
    }

    @Test
    void downstreamFailureSurfacesOnWriteOrCloseWithoutHanging() {
        OutputStream failing = new OutputStream() {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 200_000) {
                    throw new IOException("No space left on device");
                }
            }
        };
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> {
                    try (AsyncOutputStream async = new AsyncOutputStream(failing, 16 * 1024, 2, "test-async-fail")) {
                        byte[] block = new byte[8192];
                        for (int i = 0; i < 10_000; i++) {
                            async.write(block);
                        }
                    }
                }).isInstanceOf(IOException.class).hasMessageContaining("No space left"));
    }
}
