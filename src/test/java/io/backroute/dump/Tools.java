package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real standard tools (sqlite3, tar, mkfifo) that the dump tests use as their oracle. */
final class Tools {

    private Tools() {
    }

    /** Runs cmd, asserts exit code 0 and returns its combined output (small, tool answers only). */
    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Result r = runAllowingFailure(dir, cmd);
        assertThat(r.exitCode()).as("exit code of %s, output: %s", List.of(cmd), r.output()).isZero();
        return r.output();
    }

    static Result runAllowingFailure(Path dir, String... cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("tool-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished in time", List.of(cmd)).isTrue();
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8).trim());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the unit's stream to a file, as the codec chain would consume it. */
    static Path writeUnit(DumpUnit unit, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            unit.writeTo(out);
        }
        return file;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    record Result(int exitCode, String output) {
    }
}
