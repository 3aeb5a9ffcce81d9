package io.backroute.codec;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** A pass-through input stream that counts the bytes read and computes their SHA-256. */
public final class HashingInputStream extends FilterInputStream {

    private final MessageDigest digest = HashingOutputStream.sha256();
    private long count;
    private String hex;

    public HashingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            finish();
        } else {
            digest.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            finish();
        } else {
            digest.update(b, off, n);
            count += n;
        }
        return n;
    }

    // Skipped bytes would silently be missing from the hash; read them through instead.
    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported: a reset would hash bytes twice
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported by a hashing stream");
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            finish();
        }
    }

    private void finish() {
        if (hex == null) {
            hex = HexFormat.of().formatHex(digest.digest());
        }
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** Lowercase hex SHA-256 of everything read; available after end of stream or close. */
    public String sha256Hex() {
        if (hex == null) {
            throw new IllegalStateException("SHA-256 is available only after end of stream or close");
        }
        return hex;
    }
}
