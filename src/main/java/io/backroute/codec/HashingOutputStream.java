package io.backroute.codec;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A pass-through output stream that counts the bytes written and computes their SHA-256. */
public final class HashingOutputStream extends FilterOutputStream {

    private final MessageDigest digest = sha256();
    private long count;
    private String hex;

    public HashingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    // FilterOutputStream's default forwards one byte at a time; forward the whole chunk instead.
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        count += len;
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            if (hex == null) {
                hex = HexFormat.of().formatHex(digest.digest());
            }
        }
    }

    /** Bytes written so far. */
    public long count() {
        return count;
    }

    /** Lowercase hex SHA-256 of everything written; available once the stream is closed. */
    public String sha256Hex() {
        if (hex == null) {
            throw new IllegalStateException("SHA-256 is available only after the stream is closed");
        }
        return hex;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
