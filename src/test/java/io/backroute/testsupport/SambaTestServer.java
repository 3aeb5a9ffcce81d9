package io.backroute.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * A private smbd (Samba 4) on a free port of 127.0.0.1 with all state in a temp directory and one share
 * {@code backups} for one password user; skipped by assumption only when smbd is not installed.
 */
public final class SambaTestServer implements AutoCloseable {

    public static final String USER = "backroute-smb";
    public static final String PASSWORD = "smb-Pw-77e0-secret";
    public static final String SHARE = "backups";

    private final Path dir;
    private final Path share;
    private final Path conf;
    private final int port;
    private Process smbd;

    public SambaTestServer() throws Exception {
        Path smbdBinary = List.of(Path.of("/usr/sbin/smbd"), Path.of("/usr/bin/smbd")).stream().filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(smbdBinary != null, "smbd is not installed (apt-get install -y samba smbclient)");
        dir = Files.createTempDirectory("samba-");
        // smbd serves files as the unix user: every parent of the share must be traversable
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : List.of("lock", "state", "cache", "pid", "ncalrpc", "log", "share")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.createDirectories(dir.resolve("private"));
        Files.setPosixFilePermissions(dir.resolve("private"), PosixFilePermissions.fromString("rwx------"));
        share = dir.resolve("share");
        port = freePort();
        conf = dir.resolve("smb.conf");
        Files.writeString(conf, """
                [global]
                   server role = standalone server
                   disable netbios = yes
                   smb ports = %2$d
                   interfaces = 127.0.0.1
                   bind interfaces only = yes
                   private dir = %1$s/private
                   lock directory = %1$s/lock
                   state directory = %1$s/state
                   cache directory = %1$s/cache
                   pid directory = %1$s/pid
                   ncalrpc dir = %1$s/ncalrpc
                   log file = %1$s/log/log.%%m
                   passdb backend = tdbsam:%1$s/private/passdb.tdb
                   map to guest = never
                   server min protocol = SMB2_10
                   load printers = no
                   printing = bsd
                   printcap name = /dev/null
                   disable spoolss = yes
                [%3$s]
                   path = %1$s/share
                   read only = no
                   valid users = %4$s
                """.formatted(dir, port, SHARE, USER));
        if (run(List.of("id", "-u", USER), null) != 0) {
            check(List.of("useradd", "-M", "-s", "/usr/sbin/nologin", USER), null);
        }
        UserPrincipal owner = share.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
        Files.setOwner(share, owner);
        check(List.of("smbpasswd", "-c", conf.toString(), "-a", "-s", USER), PASSWORD + "\n" + PASSWORD + "\n");
        start();
    }

    /** Starts smbd in the foreground as our child; it keeps its own process group, so stopping it never signals us. */
    public void start() {
        try {
            smbd = new ProcessBuilder(List.of("smbd", "--foreground", "-s", conf.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log/smbd.out").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start smbd", e);
        }
        Awaitility.await("smbd accepting on port " + port).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!smbd.isAlive()) {
                        throw new IllegalStateException("smbd exited with " + smbd.exitValue() + "; see " + dir.resolve("log"));
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    public void stop() throws InterruptedException {
        if (smbd != null && smbd.isAlive()) {
            smbd.destroy();
            if (!smbd.waitFor(15, TimeUnit.SECONDS)) {
                smbd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        // per-connection children may linger briefly: wait until the port is free
        Awaitility.await("smbd port " + port + " released").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return false;
                    } catch (IOException e) {
                        return true;
                    }
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static int run(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes());
        }
        p.getOutputStream().close();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " timed out");
        }
        return p.exitValue();
    }

    private static void check(List<String> command, String stdin) throws Exception {
        int rc = run(command, stdin);
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(2, command.size()))) + " exited with " + rc);
        }
    }

    public int port() {
        return port;
    }

    /** The directory behind the share. */
    public Path shareDir() {
        return share;
    }

    /** Files created by tests in the share dir belong to root: make them usable by the share user. */
    public void chownToUser(Path p) throws IOException {
        UserPrincipal owner = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
        Files.setOwner(p, owner);
    }

    public Map<String, String> options(String path) {
        Map<String, String> o = new HashMap<>();
        o.put("host", "127.0.0.1");
        o.put("port", String.valueOf(port));
        o.put("share", SHARE);
        o.put("username", USER);
        o.put("password", PASSWORD);
        o.put("path", path);
        return o;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
