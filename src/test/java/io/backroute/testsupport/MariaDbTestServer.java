package io.backroute.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A private MariaDB server from Debian's binaries (mariadb-install-db, mariadbd) on a free port of 127.0.0.1, all
 * state in a temp directory owned by the {@code mysql} user, one user with a password (grant tables on), and a hard
 * stop (SIGKILL of mariadbd) for fault tests that must not touch the shared server.
 */
public final class MariaDbTestServer implements AutoCloseable {

    public static final String USER = "backroute_fault";
    public static final String PASSWORD = "my-Fault-Pw-93b2d0";
    private static final String OS_USER = "mysql";
    /** Small InnoDB files and no durability: the data lives for one test. */
    private static final List<String> INNODB = List.of("--innodb-log-file-size=8M", "--innodb-data-file-path=ibdata1:4M:autoextend",
            "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0");

    private final Path mariadbd;
    private final Path dir;
    private final Path data;
    private final Path errorLog;
    private final int port;
    private Process server;

    public MariaDbTestServer() throws Exception {
        mariadbd = firstExecutable("/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/bin/mariadbd");
        Path installDb = firstExecutable("/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db");
        LocalServers.require(mariadbd != null && installDb != null,
                "MariaDB server binaries (mariadbd, mariadb-install-db) not found; run scripts/install-test-deps.sh");
        dir = LocalServers.ownedTempDir("mariadbserver-", OS_USER);
        data = dir.resolve("data");
        errorLog = dir.resolve("error.log");
        port = Ports.free();
        try {
            List<String> install = new ArrayList<>(List.of(installDb.toString(), "--no-defaults", "--datadir=" + data,
                    "--skip-test-db", "--auth-root-authentication-method=socket", "--skip-name-resolve"));
            if (LocalServers.isRoot()) {
                install.add("--user=" + OS_USER);
            }
            install.addAll(INNODB);
            LocalServers.check(install, dir.resolve("install-db.log"), 60);
            // The user is created by the server itself at startup; the file is removed once it is up.
            String pw = PASSWORD.replace("\\", "\\\\").replace("'", "\\'");
            Path init = LocalServers.privateFile(dir, "init.sql", "CREATE USER '" + USER + "'@'127.0.0.1' IDENTIFIED BY '" + pw + "';\n"
                    + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'127.0.0.1';\n", OS_USER);
            start(init);
            Files.delete(init);
        } catch (Exception | AssertionError e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static Path firstExecutable(String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Starts mariadbd as our child (it drops to the mysql user itself) and waits until the test user can log in. */
    private void start(Path initFile) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults", "--datadir=" + data,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                "--pid-file=" + dir.resolve("mysqld.pid"), "--log-error=" + errorLog, "--skip-name-resolve",
                "--skip-log-bin", "--init-file=" + initFile));
        if (LocalServers.isRoot()) {
            cmd.add("--user=" + OS_USER);
        }
        cmd.addAll(INNODB);
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Process p = server;
        Awaitility.await("mariadbd accepting " + USER + " on port " + port).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("mariadbd exited with " + p.exitValue() + "; " + LocalServers.tail(errorLog));
                    }
                    try (Connection c = connect(null)) {
                        return c.isValid(2);
                    } catch (SQLException e) {
                        return false;
                    }
                });
    }

    /** Kills mariadbd with SIGKILL: no shutdown, open connections break mid-query. */
    public void kill() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("mariadbd pid " + server.pid() + " did not die after SIGKILL");
            }
        }
    }

    public boolean isRunning() {
        return server != null && server.isAlive();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/" + (database == null ? "" : database), USER, PASSWORD);
    }

    /** Job options (host, port, user, password, database) for a {@code dump:mariadb} step. */
    public Map<String, String> options(String database) {
        return LocalServers.jobOptions(host(), port, USER, PASSWORD, database);
    }

    /** The server's error log, for failure messages. */
    public String logTail() {
        return LocalServers.tail(errorLog);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            kill();
        } finally {
            LocalServers.deleteTree(dir);
        }
    }
}
