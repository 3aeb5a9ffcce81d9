package io.backroute.store;

/** Multipart part size for one S3 upload: large enough to stay within S3's 10,000-part limit, within S3's 5 MiB..5 GiB bounds. */
public final class S3PartSize {

    public static final long MIN = 5L * 1024 * 1024;
    public static final long MAX = 5L * 1024 * 1024 * 1024;
    /** S3 allows 10,000 parts; 9,000 leaves headroom for rounding and a file that grows before upload. */
    static final long TARGET_PARTS = 9000;

    private S3PartSize() { }

    /** max(configuredMin, ceil(size / 9000)) clamped to [5 MiB, 5 GiB]. */
    public static long forSize(long size, long configuredMin) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
        long needed = (size + TARGET_PARTS - 1) / TARGET_PARTS;
        long part = Math.max(configuredMin, needed);
        return Math.min(MAX, Math.max(MIN, part));
    }
}
