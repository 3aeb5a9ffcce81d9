package io.backroute.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Test helper: writes reproducible dump-like data (SQL text interleaved with random bytes) in fixed chunks. */
final class TestData {

    private TestData() {
    }

    static void write(OutputStream out, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        int block = 0;
        while (written < size) {
            int n = (int) Math.min(chunk.length, size - written);
            if (block++ % 4 == 3) {
                random.nextBytes(chunk);
            } else {
                fillText(chunk, n, random);
            }
            out.write(chunk, 0, n);
            written += n;
        }
    }

    private static void fillText(byte[] chunk, int n, Random random) {
        int pos = 0;
        while (pos < n) {
            byte[] line = ("INSERT INTO orders VALUES (" + random.nextInt(1_000_000) + ", 'customer-"
                    + random.nextInt(5000) + "', " + random.nextInt(100_000) / 100.0 + ");\n")
                    .getBytes(StandardCharsets.US_ASCII);
            int len = Math.min(line.length, n - pos);
            System.arraycopy(line, 0, chunk, pos, len);
            pos += len;
        }
    }
}
