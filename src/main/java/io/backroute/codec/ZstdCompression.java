package io.backroute.codec;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Zstandard compression (zstd-jni) with a configurable level and worker thread count. */
public final class ZstdCompression implements Transform {

    public static final int MIN_LEVEL = 1;
    public static final int MAX_LEVEL = 19;
    public static final int MAX_WORKERS = 256;

    private final int level;
    private final int workers;

    /**
     * @param level   1..19
     * @param workers 0 = compress on the calling thread; n > 0 = n background threads
     */
    public ZstdCompression(int level, int workers) {
        if (level < MIN_LEVEL || level > MAX_LEVEL) {
            throw new IllegalArgumentException("zstd level must be between " + MIN_LEVEL + " and " + MAX_LEVEL + ", got " + level);
        }
        if (workers < 0 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("zstd workers must be between 0 and " + MAX_WORKERS + ", got " + workers);
        }
        this.level = level;
        this.workers = workers;
    }

    public int level() {
        return level;
    }

    public int workers() {
        return workers;
    }

    @Override
    public String role() {
        return "compression";
    }

    @Override
    public String extension() {
        return "zst";
    }

    @Override
    public OutputStream wrap(OutputStream out) throws IOException {
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out);
        try {
            zstd.setLevel(level);
            zstd.setWorkers(workers);
            // a frame checksum lets `zstd -t` / `zstd -d` detect corruption without our manifest
            zstd.setChecksum(true);
        } catch (IOException | RuntimeException e) {
            zstd.close();
            throw new IOException("cannot configure zstd (level " + level + ", workers " + workers + "): " + e.getMessage(), e);
        }
        // each write into zstd is a JNI call; dumps often write small chunks, so batch them
        return new BufferedOutputStream(zstd, Codecs.BUFFER_SIZE);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("algorithm", "zstd");
        d.put("level", level);
        d.put("workers", workers);
        return Map.copyOf(d);
    }

    @Override
    public String toString() {
        return "zstd(level=" + level + ", workers=" + workers + ")";
    }
}
