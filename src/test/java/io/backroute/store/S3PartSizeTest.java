package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** S3 part sizes stay within S3's part-size bounds and the 10,000-part limit for every artifact size up to 5 TiB. */
class S3PartSizeTest {

    private static final long MIB = 1024L * 1024;
    private static final long TIB = 1024L * 1024 * MIB;

    private static long parts(long size, long part) {
        return (size + part - 1) / part;
    }

    @Test
    void fiveTebibyteArtifactGetsAValidPartSizeAndAtMostTenThousandParts() {
        long size = 5 * TIB;
        long part = S3PartSize.forSize(size, 8 * MIB);

        assertThat(part).isBetween(S3PartSize.MIN, S3PartSize.MAX);
        assertThat(parts(size, part)).isLessThanOrEqualTo(10_000);
    }

    @Test
    void smallArtifactsUseTheConfiguredMinimum() {
        assertThat(S3PartSize.forSize(200 * MIB, 8 * MIB)).isEqualTo(8 * MIB);
        assertThat(S3PartSize.forSize(0, 8 * MIB)).isEqualTo(8 * MIB);
    }

    @Test
    void configuredMinimumBelowFiveMebibytesIsRaisedToS3sMinimum() {
        assertThat(S3PartSize.forSize(10 * MIB, 1024)).isEqualTo(5 * MIB);
    }

    @Test
    void configuredMinimumAboveFiveGibibytesIsCappedAtS3sMaximum() {
        assertThat(S3PartSize.forSize(10 * MIB, 6L * 1024 * MIB)).isEqualTo(S3PartSize.MAX);
    }

    @Test
    void partCountStaysWithinLimitAcrossSizes() {
        for (long size = MIB; size <= 5 * TIB; size = size * 3 + 7) {
            long part = S3PartSize.forSize(size, 5 * MIB);
            assertThat(parts(size, part)).as("parts for %d bytes", size).isLessThanOrEqualTo(10_000);
            assertThat(part).isBetween(S3PartSize.MIN, S3PartSize.MAX);
        }
    }
}
