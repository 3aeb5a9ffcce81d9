package io.backroute.codec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Gzip compression (java.util.zip) with a configurable level, for hosts that only have gzip to restore. */
public final class GzipCompression implements Transform {

    private final int level;

    /** @param level 1..9 */
    public GzipCompression(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("gzip level must be between 1 and 9, got " + level);
        }
        this.level = level;
    }

    public int level() {
        return level;
    }

    @Override
    public String role() {
        return "compression";
    }

    @Override
    public String extension() {
        return "gz";
    }

    @Override
    public OutputStream wrap(OutputStream out) throws IOException {
        return new BufferedOutputStream(new LeveledGzipOutputStream(out, level), Codecs.BUFFER_SIZE);
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("algorithm", "gzip", "level", level);
    }

    @Override
    public String toString() {
        return "gzip(level=" + level + ")";
    }

    // GZIPOutputStream has no level parameter; its own Deflater is still ended on close.
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, Codecs.IO_BUFFER_SIZE);
            def.setLevel(level);
        }
    }
}
