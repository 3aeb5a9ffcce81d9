package io.backroute.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves the hashing streams pass data through unchanged and report the byte count and SHA-256 that sha256sum computes. */
class HashingStreamsTest {

    @TempDir
    Path dir;

    @Test
    void outputStreamHashAndCountMatchSha256sumOfTheWrittenFile() throws Exception {
        Path file = dir.resolve("data.bin");
        HashingOutputStream hashing = new HashingOutputStream(Files.newOutputStream(file));
        try (hashing) {
            TestData.write(hashing, 5 * 1024 * 1024 + 17, 1);
            hashing.write('x');
        }

        assertThat(hashing.count()).isEqualTo(Files.size(file)).isEqualTo(5 * 1024 * 1024 + 18);
        assertThat(hashing.sha256Hex()).isEqualTo(Proc.sha256sum(file));
    }

    @Test
    void inputStreamHashAndCountMatchSha256sumOnceReadToTheEnd() throws Exception {
        Path file = dir.resolve("data.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            TestData.write(out, 3 * 1024 * 1024 + 5, 2);
        }
        HashingInputStream hashing = new HashingInputStream(Files.newInputStream(file));
        try (hashing) {
            assertThat(hashing.read()).isGreaterThanOrEqualTo(0);
            assertThat(hashing.skip(1000)).isEqualTo(1000);
            hashing.transferTo(OutputStream.nullOutputStream());
        }

        assertThat(hashing.count()).isEqualTo(Files.size(file));
        assertThat(hashing.sha256Hex()).isEqualTo(Proc.sha256sum(file));
    }

    @Test
    void emptyStreamHasTheWellKnownEmptySha256() throws Exception {
        HashingOutputStream hashing = new HashingOutputStream(OutputStream.nullOutputStream());
        hashing.close();
        assertThat(hashing.count()).isZero();
        assertThat(hashing.sha256Hex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void hashIsRefusedBeforeTheStreamIsComplete() throws Exception {
        HashingOutputStream out = new HashingOutputStream(OutputStream.nullOutputStream());
        out.write(new byte[10]);
        assertThatThrownBy(out::sha256Hex).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");

        try (InputStream in = new HashingInputStream(InputStream.nullInputStream())) {
            assertThatThrownBy(((HashingInputStream) in)::sha256Hex).isInstanceOf(IllegalStateException.class);
        }
    }
}
