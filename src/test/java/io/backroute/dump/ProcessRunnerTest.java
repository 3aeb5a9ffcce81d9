package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackupException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves ProcessRunner streams stdout exactly, bounds stderr, scrubs secrets, kills whole trees on timeout and fails on bad exits. */
class ProcessRunnerTest {

    @TempDir
    Path tmp;

    @Test
    void streamsStdoutByteForByteAndCountsBytes() throws Exception {
        Path data = tmp.resolve("data.bin");
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(42).nextBytes(chunk);
        try (OutputStream o = Files.newOutputStream(data)) {
            for (int i = 0; i < 8; i++) o.write(chunk);
        }
        Path copy = tmp.resolve("copy.bin");
        long n;
        try (OutputStream o = Files.newOutputStream(copy)) {
            n = ProcessRunner.of("cat", data.toString()).streamTo(o);
        }
        assertThat(n).isEqualTo(8L << 20);
        assertThat(sha256(copy)).isEqualTo(sha256(data));
    }

    @Test
    void nonZeroExitNamesToolExitCodeAndStderrTailWithoutTheSecret() {
        ProcessRunner r = ProcessRunner.of("sh", "-c", "echo 'login with s3cret-pw failed' >&2; exit 3")
                .name("fake-dump of database \"x\"").secret("s3cret-pw");
        assertThatThrownBy(() -> r.streamTo(OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("fake-dump of database \"x\" failed with exit code 3")
                .hasMessageContaining("login with ******** failed")
                .hasMessageNotContaining("s3cret-pw")
                .satisfies(e -> assertThat(((BackupException) e).stage()).isEqualTo("dump"));
    }

    @Test
    void stderrTailIsBoundedEvenWhenToolPrintsMegabytes() {
        ProcessRunner r = ProcessRunner.of("sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo \"noise line $i\"; i=$((i+1)); done >&2; echo LAST >&2; exit 1");
        assertThatThrownBy(() -> r.streamTo(OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("LAST")
                .hasMessageNotContaining("noise line 0\n")
                .satisfies(e -> assertThat(e.getMessage().lines().count()).isLessThanOrEqualTo(ProcessRunner.STDERR_TAIL_LINES + 2));
    }

    @Test
    void timeoutKillsTheWholeProcessTreeAndSaysSo() {
        // The shell's child sleeps would survive a kill of the shell alone.
        ProcessRunner r = ProcessRunner.of("sh", "-c", "sleep 300 & sleep 300 & wait").timeout(Duration.ofSeconds(1));
        long before = System.nanoTime();
        assertThatThrownBy(() -> r.streamTo(OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("timed out after 1s");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(30));
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(TestServers.childProcessesNamed("sleep")).isEmpty());
    }

    @Test
    void failingOutputStreamKillsTheProcessAndRethrows() {
        OutputStream broken = new OutputStream() {
            @Override public void write(int b) throws IOException { throw new IOException("disk full"); }
            @Override public void write(byte[] b, int off, int len) throws IOException { throw new IOException("disk full"); }
        };
        assertThatThrownBy(() -> ProcessRunner.of("yes").streamTo(broken)).isInstanceOf(IOException.class).hasMessage("disk full");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(TestServers.childProcessesNamed("yes")).isEmpty());
    }

    @Test
    void missingExecutableFailsNamingIt() {
        assertThatThrownBy(() -> ProcessRunner.of(tmp.resolve("no-such-tool").toString()).run())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("could not start")
                .hasMessageContaining("no-such-tool");
    }

    @Test
    void runReturnsShortOutputAndRefusesHugeOutput() {
        assertThat(ProcessRunner.of("echo", "pg_dump (PostgreSQL) 15.4").run().strip()).isEqualTo("pg_dump (PostgreSQL) 15.4");
        assertThatThrownBy(() -> ProcessRunner.of("yes").run())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("printed more than");
    }

    @Test
    void passesExtraEnvironmentAndRemovesInheritedVariables() {
        String out = ProcessRunner.of("sh", "-c", "echo \"A=$BR_A HOME=${HOME:-unset}\"").env("BR_A", "1").removeEnv("HOME").run();
        assertThat(out.strip()).isEqualTo("A=1 HOME=unset");
    }

    @Test
    void parsesDurationsWrittenLikeOptions() {
        assertThat(DbOptions.parseDuration("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(DbOptions.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DbOptions.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DbOptions.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DbOptions.parseDuration("PT6H")).isEqualTo(Duration.ofHours(6));
        assertThat(DbOptions.parseDuration("soon")).isNull();
        assertThat(ProcessRunner.format(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(ProcessRunner.format(Duration.ofHours(6))).isEqualTo("6h");
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) > 0) md.update(b, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
