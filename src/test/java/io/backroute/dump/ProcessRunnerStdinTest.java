package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves ProcessRunner's stdin feed: data reaches the child, a failing feed kills it before it sees end of input, and an early exit reports its code. */
class ProcessRunnerStdinTest {

    @TempDir
    Path tmp;

    @Test
    void feedsStdinWhileDrainingStdout() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProcessRunner.of("sha256sum").stdin(in -> in.write("abc".getBytes(StandardCharsets.US_ASCII))).streamTo(out);
        assertThat(out.toString(StandardCharsets.US_ASCII))
                .startsWith("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aFailingFeedKillsTheChildBeforeItSeesEndOfInput() {
        Path file = tmp.resolve("out");
        assertThatThrownBy(() -> ProcessRunner.of("sh", "-c", "cat > \"$1\" && touch \"$1.eof\"", "sh", file.toString())
                .name("loader").stage("restore")
                .stdin(in -> {
                    in.write(new byte[1 << 20]);
                    throw new IOException("integrity check failed: the artifact is corrupt or truncated");
                })
                .streamTo(java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("loader was aborted because its input failed: integrity check failed");
        assertThat(tmp.resolve("out.eof")).doesNotExist();
    }

    @Test
    void aChildExitingEarlyReportsItsExitCodeAndStderr() {
        assertThatThrownBy(() -> ProcessRunner.of("sh", "-c", "echo 'no such database' >&2; exit 3").name("loader")
                .stdin(in -> {
                    for (int i = 0; i < 64; i++) {
                        in.write(new byte[1 << 16]);
                    }
                })
                .streamTo(java.io.OutputStream.nullOutputStream()))
                .hasMessageContaining("loader failed with exit code 3").hasMessageContaining("no such database");
    }
}
