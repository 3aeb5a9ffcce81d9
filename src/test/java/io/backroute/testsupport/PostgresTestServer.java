package io.backroute.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster from Debian's binaries (initdb, pg_ctl) on a free port of 127.0.0.1, all state in a
 * temp directory owned by the {@code postgres} user, one superuser with a scram-sha-256 password, and a hard stop
 * ({@code pg_ctl stop -m immediate}) for fault tests that must not touch the shared server.
 */
public final class PostgresTestServer implements AutoCloseable {

    public static final String USER = "backroute_fault";
    public static final String PASSWORD = "pg-Fault-Pw-4c7e91";
    private static final String OS_USER = "postgres";

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final int port;
    private boolean running;

    public PostgresTestServer() throws Exception {
        bin = binDir();
        LocalServers.require(bin != null, "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH;"
                + " run scripts/install-test-deps.sh");
        dir = LocalServers.ownedTempDir("pgserver-", OS_USER);
        data = dir.resolve("data");
        log = dir.resolve("server.log");
        port = Ports.free();
        try {
            Path pwfile = LocalServers.privateFile(dir, "pw", PASSWORD + "\n", OS_USER);
            // -N: no fsync of the fresh cluster; it lives for one test
            LocalServers.check(LocalServers.as(OS_USER, List.of(bin.resolve("initdb").toString(), "-D", data.toString(),
                    "-U", USER, "--pwfile=" + pwfile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                    "-E", "UTF8", "--locale=C", "-N")), dir.resolve("initdb.log"), 60);
            Files.delete(pwfile);
            start();
        } catch (Exception | AssertionError e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The newest installed major on Debian (initdb is not on PATH there), e.g. /usr/lib/postgresql/15/bin, else initdb's directory on PATH. */
    private static Path binDir() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                Optional<Path> newest = s.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                        .map(p -> p.resolve("bin"));
                if (newest.isPresent()) {
                    return newest.get();
                }
            }
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "pg_ctl"))) {
                return Path.of(d);
            }
        }
        return null;
    }

    /** Starts the server and waits until it accepts connections; durability is off, the data is throw-away. */
    public void start() throws IOException, InterruptedException {
        String opts = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB -c max_connections=20";
        LocalServers.check(LocalServers.as(OS_USER, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-l", log.toString(), "-w", "-t", "30", "-o", opts, "start")), dir.resolve("pg_ctl.log"), 60);
        running = true;
    }

    /** Stops the server the hard way: every backend is terminated at once, open connections break mid-query. */
    public void stopImmediately() throws IOException, InterruptedException {
        LocalServers.check(LocalServers.as(OS_USER, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-m", "immediate", "-w", "stop")), dir.resolve("pg_ctl.log"), 30);
        running = false;
    }

    public boolean isRunning() {
        return running;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, PASSWORD);
    }

    /** Job options (host, port, user, password, database) for a {@code dump:postgresql} step. */
    public Map<String, String> options(String database) {
        return LocalServers.jobOptions(host(), port, USER, PASSWORD, database);
    }

    /** The server's own log, for failure messages. */
    public String logTail() {
        return LocalServers.tail(log);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (running || Files.exists(data.resolve("postmaster.pid"))) {
                stopImmediately();
            }
        } finally {
            LocalServers.deleteTree(dir);
        }
    }
}
