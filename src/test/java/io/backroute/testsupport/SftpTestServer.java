package io.backroute.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An in-process Apache MINA SSHD SFTP server on 127.0.0.1 with password auth (and public keys once
 * {@link #authorize authorized}) over a temp directory; its host key is written to a known_hosts file so clients keep
 * host key checking on.
 */
public final class SftpTestServer implements AutoCloseable {

    public static final String USER = "backroute";
    public static final String PASSWORD = "sftp-Pw-5d1b-secret";

    private final Path root;
    private final Path knownHosts;
    private final SshServer sshd;
    private final AtomicLong dropAfter = new AtomicLong(-1);
    private final List<PublicKey> authorizedKeys = new CopyOnWriteArrayList<>();
    private volatile long writeDelayMillis;
    private final AtomicLong sessions = new AtomicLong();

    public SftpTestServer() throws Exception {
        Path dir = Files.createTempDirectory("sftp-");
        root = Files.createDirectories(dir.resolve("root"));
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(sshd, true);
        sshd.setPort(0);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser"));
        keys.setAlgorithm("EC");
        keys.setKeySize(256);
        sshd.setKeyPairProvider(keys);
        sshd.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        // set before start so the server offers publickey auth; no key passes until one is authorized
        sshd.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && authorizedKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder().build();
        sftp.addSftpEventListener(new SftpEventListener() {
            @Override
            public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                    int dataOffset, int dataLen) throws IOException {
                long delay = writeDelayMillis;
                if (delay > 0) {
                    // a slow server: each write request is answered late, so the client's window fills and it blocks
                    java.util.concurrent.locks.LockSupport.parkNanos(delay * 1_000_000);
                }
                long limit = dropAfter.get();
                if (limit >= 0 && offset + dataLen > limit) {
                    // the whole SSH connection goes away mid-transfer, as when a link or server dies
                    session.close(true);
                    throw new IOException("test server: connection dropped at offset " + offset);
                }
            }
        });
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                sessions.incrementAndGet();
            }
        });
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(root));
        sshd.start();

        KeyPair hostKey = keys.loadKeys(null).iterator().next();
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
    }

    public int port() {
        return sshd.getPort();
    }

    /** The directory "/" maps to. */
    public Path root() {
        return root;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    /**
     * A known_hosts file listing this server's host key for 127.0.0.1 at another port (a proxy in front of it), so a
     * client going through the proxy keeps host key checking on.
     */
    public Path knownHostsFor(int port) throws IOException {
        Path file = knownHosts.resolveSibling("known_hosts-" + port);
        String line = Files.readString(knownHosts).replace("[127.0.0.1]:" + port() + " ", "[127.0.0.1]:" + port + " ");
        Files.writeString(file, line);
        return file;
    }

    /** From now on USER may also log in with the key(s) of an OpenSSH public key file, as ssh-keygen writes it. */
    public void authorize(Path publicKeyFile) throws IOException, GeneralSecurityException {
        for (AuthorizedKeyEntry e : AuthorizedKeyEntry.readAuthorizedKeys(publicKeyFile)) {
            authorizedKeys.add(e.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
        }
    }

    /** Any upload writing past {@code bytes} drops the SSH connection from now on; -1 disarms. */
    public void dropUploadsAfter(long bytes) {
        dropAfter.set(bytes);
    }

    /** Closes every open SSH session from the server side, as a restart or a dropped link would. */
    public void dropAllSessions() {
        sshd.getActiveSessions().forEach(s -> s.close(true));
    }

    /** SSH sessions (TCP connections) accepted so far. */
    public long sessionsOpened() {
        return sessions.get();
    }

    /** Every SFTP write request is held {@code millis} before it is served (0: full speed). */
    public void slowWrites(long millis) {
        writeDelayMillis = millis;
    }

    public Map<String, String> options(String path) {
        Map<String, String> o = new HashMap<>();
        o.put("host", "127.0.0.1");
        o.put("port", String.valueOf(port()));
        o.put("username", USER);
        o.put("password", PASSWORD);
        o.put("path", path);
        o.put("knownHostsFile", knownHosts.toString());
        return o;
    }

    public void stop() throws IOException {
        if (sshd.isStarted()) {
            sshd.stop(true);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }

}
