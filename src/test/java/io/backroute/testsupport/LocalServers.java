package io.backroute.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * What the private database servers of the tests share: commands run as the unprivileged server user when the
 * tests run as root (PostgreSQL and MariaDB refuse to run as root), a temp directory that user owns, and cleanup.
 */
public final class LocalServers {

    private LocalServers() { }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code command} as {@code user} when we are root ({@code runuser}, no shell), else as ourselves. */
    static List<String> as(String user, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        out.addAll(command);
        return out;
    }

    /** A fresh directory under java.io.tmpdir for all of one server's state, owned by {@code user} when we are root. */
    static Path ownedTempDir(String prefix, String user) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        chown(dir, user);
        return dir;
    }

    /** A private file (0600) of the server user, for passwords handed to the server's setup tools. */
    static Path privateFile(Path dir, String name, String content, String user) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        chown(f, user);
        return f;
    }

    static void chown(Path p, String user) throws IOException {
        if (isRoot()) {
            UserPrincipal owner = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.setOwner(p, owner);
        }
    }

    /** Runs a setup command with its output in {@code log}; fails naming the command and the log's tail. */
    static void check(List<String> command, Path log, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException(name(command) + " did not finish within " + timeoutSeconds + " s; " + tail(log));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(name(command) + " exited with " + p.exitValue() + "; " + tail(log));
        }
    }

    private static String name(List<String> command) {
        int i = command.indexOf("--");
        List<String> cmd = i >= 0 ? command.subList(i + 1, command.size()) : command;
        return String.join(" ", cmd.subList(0, Math.min(2, cmd.size())));
    }

    /** The last lines of a server or tool log, for failure messages. */
    /** Job options (host, port, user, password, database) of a database dump step. */
    public static java.util.Map<String, String> jobOptions(String host, int port, String user, String password, String database) {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        o.put("host", host);
        o.put("port", Integer.toString(port));
        o.put("user", user);
        o.put("password", password);
        o.put("database", database);
        return o;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "log " + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "no log at " + log;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Skips on a developer machine without the server packages; on CI (CI=true) a missing server fails the test. */
    static void require(boolean available, String message) {
        if (available) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }
}
