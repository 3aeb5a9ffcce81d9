package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Connection settings of the real test servers started by scripts/services/*.sh, and the oracle tool runner. */
final class TestServers {

    private TestServers() { }

    static String env(String key, String def) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? def : v;
    }

    static final String PG_HOST = env("BACKROUTE_TEST_PG_HOST", "127.0.0.1");
    static final int PG_PORT = Integer.parseInt(env("BACKROUTE_TEST_PG_PORT", "5432"));
    static final String PG_USER = env("BACKROUTE_TEST_PG_USER", "backroute_test");
    static final String PG_PASSWORD = env("BACKROUTE_TEST_PG_PASSWORD", "backroute-test-pw");

    static final String MY_HOST = env("BACKROUTE_TEST_MARIADB_HOST", "127.0.0.1");
    static final int MY_PORT = Integer.parseInt(env("BACKROUTE_TEST_MARIADB_PORT", "3306"));
    static final String MY_USER = env("BACKROUTE_TEST_MARIADB_USER", "backroute_test");
    static final String MY_PASSWORD = env("BACKROUTE_TEST_MARIADB_PASSWORD", "backroute-test-pw");

    static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static Connection pg(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + db, PG_USER, PG_PASSWORD);
    }

    static Connection mariadb(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + MY_HOST + ":" + MY_PORT + "/" + (db == null ? "" : db), MY_USER, MY_PASSWORD);
    }

    /** Skips when the server is down on a developer machine; on CI (CI=true) an unreachable server fails the tests. */
    static void assumePostgres() {
        try (Connection c = pg("postgres")) {
            assertThat(c.isValid(5)).isTrue();
        } catch (SQLException e) {
            unreachable("PostgreSQL at " + PG_HOST + ":" + PG_PORT + " is not reachable (" + e.getMessage()
                    + "); start it with scripts/services/postgres.sh");
        }
    }

    static void assumeMariaDb() {
        try (Connection c = mariadb(null)) {
            assertThat(c.isValid(5)).isTrue();
        } catch (SQLException e) {
            unreachable("MariaDB at " + MY_HOST + ":" + MY_PORT + " is not reachable (" + e.getMessage()
                    + "); start it with scripts/services/mariadb.sh");
        }
    }

    private static void unreachable(String message) {
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    static Map<String, String> pgOptions(String database) {
        return io.backroute.testsupport.LocalServers.jobOptions(PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, database);
    }

    static Map<String, String> myOptions(String database) {
        return io.backroute.testsupport.LocalServers.jobOptions(MY_HOST, MY_PORT, MY_USER, MY_PASSWORD, database);
    }

    /** Runs a standard tool as the test oracle; fails the test with its output unless it exits 0. Returns stdout. */
    static String tool(List<String> command, Map<String, String> env, Path stdin, Path workDir) throws IOException, InterruptedException {
        Path outFile = Files.createTempFile(workDir, "tool-out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outFile.toFile());
        pb.redirectInput(stdin == null ? new File("/dev/null") : stdin.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command.get(0) + " did not finish within 120 s");
        }
        String out = Files.readString(outFile, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s exit code, output:%n%s", command, out).isZero();
        return out;
    }

    static List<ProcessHandle> childProcessesNamed(String name) {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
                .toList();
    }

    static Path stubTool(Path dir, String name, String script) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + script + "\n");
        assertThat(f.toFile().setExecutable(true)).isTrue();
        return f;
    }
}
