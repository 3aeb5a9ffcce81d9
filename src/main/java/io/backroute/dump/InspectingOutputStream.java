package io.backroute.dump;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Passes a dump through unchanged while counting bytes and keeping only its first and last few bytes,
 * so integrity checks (magic header, completion trailer, minimum size) never buffer the dump.
 */
final class InspectingOutputStream extends FilterOutputStream {

    private final byte[] head;
    private int headLen;
    private final byte[] tail;
    private long count;

    InspectingOutputStream(OutputStream out, int headBytes, int tailBytes) {
        super(out);
        this.head = new byte[headBytes];
        this.tail = new byte[tailBytes];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        if (headLen < head.length) {
            int n = Math.min(head.length - headLen, len);
            System.arraycopy(b, off, head, headLen, n);
            headLen += n;
        }
        if (tail.length > 0) {
            for (int i = Math.max(0, len - tail.length); i < len; i++) {
                tail[(int) ((count + i) % tail.length)] = b[off + i];
            }
        }
        count += len;
    }

    /** Never closes the wrapped stream: DumpUnit.writeTo must not close its output. */
    @Override
    public void close() throws IOException {
        flush();
    }

    long count() {
        return count;
    }

    byte[] head() {
        return Arrays.copyOf(head, headLen);
    }

    byte[] tail() {
        int len = (int) Math.min(count, tail.length);
        byte[] out = new byte[len];
        long start = count - len;
        for (int i = 0; i < len; i++) {
            out[i] = tail[(int) ((start + i) % tail.length)];
        }
        return out;
    }

    String tailText() {
        return new String(tail(), StandardCharsets.UTF_8);
    }
}
