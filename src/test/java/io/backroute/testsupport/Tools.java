package io.backroute.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the standard tools (gpg, zstd, sqlite3, tar, bash pipelines) used as restore oracles in tests. */
public final class Tools {

    private Tools() { }

    public record Result(int exit, String out, String err) { }

    /** Runs a command; fails the test with its stderr if it exits non-zero. */
    public static String run(Map<String, String> env, Path dir, String... cmd) throws IOException, InterruptedException {
        Result r = exec(env, dir, cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.err());
        }
        return r.out();
    }

    public static Result exec(Map<String, String> env, Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Path out = Files.createTempFile("tool", ".out");
        Path err = Files.createTempFile("tool", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " timed out");
        }
        try {
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs a bash pipeline (the way a person restores at 3 a.m.). */
    public static String bash(Map<String, String> env, Path dir, String script) throws IOException, InterruptedException {
        return run(env, dir, "bash", "-o", "pipefail", "-ec", script);
    }

    /** A fresh GNUPGHOME with the given secret key imported. */
    public static Map<String, String> gpgHomeWith(Path home, Path secretKey) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of("GNUPGHOME", home.toString());
        run(env, null, "gpg", "--batch", "--import", secretKey.toString());
        return env;
    }

    public static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.trim());
            }
        }
        return out;
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
