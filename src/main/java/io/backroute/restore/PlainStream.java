package io.backroute.restore;

import io.backroute.BackupException;
import io.backroute.catalog.Manifest;
import io.backroute.codec.Codecs;
import io.backroute.codec.HashingInputStream;
import io.backroute.codec.OpenPgpDecryption;
import io.backroute.store.Destination;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain content of an artifact streamed from its destination (decrypted, decompressed), with the stored and
 * plain SHA-256 and sizes checked against the manifest and the OpenPGP MDC verified by {@link #finish()}.
 * Bytes read are untrusted until {@link #finish()} returns.
 */
public final class PlainStream implements Closeable {

    private static final int BUFFER = 1 << 16;

    private final ArtifactInfo artifact;
    private final HashingInputStream stored;
    private final List<InputStream> layers;
    private final HashingInputStream plain;

    private PlainStream(ArtifactInfo artifact, HashingInputStream stored, List<InputStream> layers) {
        this.artifact = artifact;
        this.stored = stored;
        this.layers = layers;
        this.plain = new HashingInputStream(layers.get(layers.size() - 1));
    }

    /** Opens the artifact and stacks the decoders its codec extensions name, last codec first. */
    public static PlainStream open(Destination d, ArtifactInfo a, DecryptionKey key) {
        checkManifest(a);
        InputStream raw;
        try {
            raw = d.open(a.key());
        } catch (RuntimeException e) {
            throw new BackupException(a.manifest().job(), a.manifest().runId(), "restore",
                    a.describe() + " cannot be opened: " + e.getMessage(), false, e);
        }
        HashingInputStream stored = new HashingInputStream(raw);
        List<InputStream> layers = new ArrayList<>();
        layers.add(stored);
        List<String> exts = a.parsed().codecExtensions();
        try {
            for (int i = exts.size() - 1; i >= 0; i--) {
                InputStream top = layers.get(layers.size() - 1);
                switch (exts.get(i)) {
                    case "gpg" -> {
                        if (key == null) {
                            throw new BackupException("restore", a.describe() + " is encrypted: give the private key with --key FILE");
                        }
                        layers.add(OpenPgpDecryption.open(top, key.file(), key.passphrase()));
                    }
                    case "zst", "gz" -> layers.add(Codecs.decompress(exts.get(i), top));
                    default -> throw new IllegalStateException("unknown codec extension " + exts.get(i));
                }
            }
        } catch (IOException e) {
            closeQuietly(stored);
            throw fail(a, "cannot decrypt: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(stored);
            throw e;
        }
        return new PlainStream(a, stored, layers);
    }

    /** Refuses a missing artifact and a manifest that describes another artifact (copied over, renamed). */
    static void checkManifest(ArtifactInfo a) {
        if (!a.present()) {
            throw missing(a);
        }
        if (!a.fileName().equals(a.manifest().artifact())) {
            throw fail(a, "its manifest describes artifact " + a.manifest().artifact()
                    + ": the manifest belongs to another artifact, so nothing can be checked against it", null);
        }
    }

    static BackupException missing(ArtifactInfo a) {
        return new BackupException(a.manifest().job(), a.manifest().runId(), "restore", a.describe()
                + " is missing: its manifest exists but the artifact does not", true, null);
    }

    static BackupException fail(ArtifactInfo a, String what, Throwable cause) {
        return new BackupException(a.manifest().job(), a.manifest().runId(), "restore", a.describe() + ": " + what,
                true, cause);
    }

    /** The plain bytes; read to the end, then call {@link #finish()}. Read errors name the artifact. */
    public InputStream stream() {
        return new java.io.FilterInputStream(plain) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    throw new IOException(artifact.describe() + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                // the owner closes the PlainStream
            }
        };
    }

    /** Copies all plain bytes to {@code out} with a fixed buffer, then {@link #finish()}es. */
    public long copyTo(OutputStream out) throws IOException {
        long n = Codecs.copy(stream(), out);
        finish();
        return n;
    }

    /**
     * Drains what the decoders left unread (so the MDC at the end of the encrypted packet is checked), then
     * compares stored and plain size and SHA-256 with the manifest.
     *
     * @throws BackupException naming the artifact and what did not match
     */
    public void finish() {
        Manifest m = artifact.manifest();
        try {
            byte[] buf = new byte[BUFFER];
            // readers like tar stop at their end marker and leave padding: hash it too
            while (plain.read(buf) >= 0) {
                continue;
            }
            // The decompressor may stop at its end-of-frame: drain each layer below it to EOF.
            for (int i = layers.size() - 2; i >= 0; i--) {
                InputStream layer = layers.get(i);
                long extra = 0;
                int n;
                while ((n = layer.read(buf)) >= 0) {
                    extra += n;
                }
                if (extra > 0 && i > 0) {
                    throw fail(artifact, extra + " unexpected bytes after the end of the compressed data", null);
                }
            }
        } catch (IOException e) {
            throw fail(artifact, e.getMessage(), e);
        }
        if (stored.count() != m.storedSize() || !stored.sha256Hex().equals(m.storedSha256())) {
            throw fail(artifact, "stored bytes do not match the manifest (size " + stored.count() + ", expected "
                    + m.storedSize() + "; SHA-256 " + stored.sha256Hex() + ", expected " + m.storedSha256()
                    + "): the artifact is corrupt, truncated, or the manifest belongs to another artifact", null);
        }
        if (plain.count() != m.plainSize() || !plain.sha256Hex().equals(m.plainSha256())) {
            throw fail(artifact, "decrypted content does not match the manifest (size " + plain.count() + ", expected "
                    + m.plainSize() + "; SHA-256 " + plain.sha256Hex() + ", expected " + m.plainSha256() + ")", null);
        }
    }

    public long plainBytes() {
        return plain.count();
    }

    @Override
    public void close() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            closeQuietly(layers.get(i));
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // reading is over; a close failure changes nothing that finish() has not checked
        }
    }
}
