package io.backroute.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves zstd and gzip output decompresses with the zstd and gzip CLIs (and our own decompressor) to the exact input. */
class CompressionRoundTripTest {

    private static final long SIZE = 20L * 1024 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "zstd level {0}, {1} workers")
    @CsvSource({"3, 0", "3, 2", "19, 0"})
    void zstdOutputDecompressesWithZstdCliToIdenticalBytes(int level, int workers) throws Exception {
        long size = level == 19 ? SIZE / 10 : SIZE; // level 19 is slow; a smaller sample proves the level is applied
        Path compressed = dir.resolve("data.zst");
        HashingOutputStream plain = compress(Codecs.zstd(level, workers), compressed, size);

        Path restored = dir.resolve("restored");
        Proc.run("zstd", "-d", "-q", "-f", "-o", restored.toString(), compressed.toString()).ok();

        assertThat(Files.size(restored)).isEqualTo(size);
        assertThat(Proc.sha256sum(restored)).isEqualTo(plain.sha256Hex());
        assertThat(Files.size(compressed)).isLessThan(size / 2);
        Proc.run("zstd", "-t", "-q", compressed.toString()).ok(); // frame checksum present and valid
        assertThat(Codecs.zstd(level, workers).describe())
                .isEqualTo(Map.of("algorithm", "zstd", "level", level, "workers", workers));
    }

    @Test
    void gzipOutputDecompressesWithGzipCliToIdenticalBytes() throws Exception {
        Path compressed = dir.resolve("data.gz");
        HashingOutputStream plain = compress(Codecs.gzip(6), compressed, SIZE);

        Path restored = dir.resolve("data");
        Proc.run("gzip", "-d", "-k", "-f", compressed.toString()).ok();

        assertThat(Proc.sha256sum(restored)).isEqualTo(plain.sha256Hex());
        assertThat(Files.size(compressed)).isLessThan(SIZE / 2);
        assertThat(Codecs.gzip(6).describe()).isEqualTo(Map.of("algorithm", "gzip", "level", 6));
        assertThat(Codecs.gzip(6).extension()).isEqualTo("gz");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"zstd", "gzip"})
    void ownDecompressorRestoresWhatTheCliCompressed(String algorithm) throws Exception {
        Path plainFile = dir.resolve("plain");
        try (OutputStream out = Files.newOutputStream(plainFile)) {
            TestData.write(out, 4 * 1024 * 1024, 7);
        }
        Path compressed = dir.resolve(algorithm.equals("zstd") ? "plain.zst" : "plain.gz");
        if (algorithm.equals("zstd")) {
            Proc.run("zstd", "-q", "-f", "-o", compressed.toString(), plainFile.toString()).ok();
        } else {
            Proc.run("gzip", "-k", "-f", plainFile.toString()).ok();
        }

        HashingInputStream restored;
        try (InputStream in = Codecs.decompress(algorithm, Files.newInputStream(compressed))) {
            restored = new HashingInputStream(in);
            restored.transferTo(OutputStream.nullOutputStream());
        }
        assertThat(restored.sha256Hex()).isEqualTo(Proc.sha256sum(plainFile));
    }

    @Test
    void invalidSettingsAreRejectedWithTheAllowedRange() {
        assertThatThrownBy(() -> Codecs.zstd(0, 0)).hasMessage("zstd level must be between 1 and 19, got 0");
        assertThatThrownBy(() -> Codecs.zstd(20, 0)).hasMessageContaining("got 20");
        assertThatThrownBy(() -> Codecs.zstd(3, -1)).hasMessageContaining("zstd workers");
        assertThatThrownBy(() -> Codecs.gzip(10)).hasMessage("gzip level must be between 1 and 9, got 10");
        assertThatThrownBy(() -> Codecs.decompress("lz4", InputStream.nullInputStream()))
                .hasMessageContaining("unknown compression algorithm 'lz4'");
    }

    private static HashingOutputStream compress(Transform transform, Path target, long size) throws Exception {
        HashingOutputStream plain = new HashingOutputStream(Codecs.chain(List.of(transform), Files.newOutputStream(target)));
        try (plain) {
            TestData.write(plain, size, 42);
        }
        return plain;
    }
}
