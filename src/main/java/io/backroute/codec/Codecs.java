package io.backroute.codec;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Factory for the compression transforms and their matching decompressors used by restore. */
public final class Codecs {

    /** Buffer in front of a compressor: large enough to amortise native calls per write. */
    static final int BUFFER_SIZE = 1 << 20;
    /** Buffer for stream-to-stream copies and packet windows. */
    static final int IO_BUFFER_SIZE = 1 << 16;

    private Codecs() {
    }

    /** zstd at {@code level} (1..19) with {@code workers} background threads (0 = single thread). */
    public static ZstdCompression zstd(int level, int workers) {
        return new ZstdCompression(level, workers);
    }

    /** gzip at {@code level} (1..9). */
    public static GzipCompression gzip(int level) {
        return new GzipCompression(level);
    }

    /**
     * Wraps {@code in} with the decompressor for {@code algorithm} as written in a manifest
     * ({@code zstd}/{@code zst}, {@code gzip}/{@code gz}, {@code none}). Closing the result closes {@code in}.
     */
    public static InputStream decompress(String algorithm, InputStream in) throws IOException {
        String a = algorithm == null ? "none" : algorithm.trim().toLowerCase(Locale.ROOT);
        switch (a) {
            case "zstd":
            case "zst":
                return new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), IO_BUFFER_SIZE);
            case "gzip":
            case "gz":
                return new GZIPInputStream(in, IO_BUFFER_SIZE);
            case "none":
            case "":
                return in;
            default:
                throw new IllegalArgumentException("unknown compression algorithm '" + algorithm
                        + "': expected zstd, gzip or none");
        }
    }

    /**
     * Chains stages in data order: {@code chain(List.of(zstd, openpgp), file)} returns a stream whose
     * bytes are compressed, then encrypted, then written to {@code out}. Closing it finishes every stage
     * and closes {@code out}.
     */
    public static OutputStream chain(List<? extends Transform> stages, OutputStream out) throws IOException {
        OutputStream s = out;
        for (int i = stages.size() - 1; i >= 0; i--) {
            Transform t = stages.get(i);
            try {
                s = t.wrap(s);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        return s;
    }

    /** Copies {@code in} to {@code out} with a fixed buffer; returns the byte count. Closes neither. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[IO_BUFFER_SIZE];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
