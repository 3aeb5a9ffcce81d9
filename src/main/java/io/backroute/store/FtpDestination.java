package io.backroute.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * FTP and FTPS (explicit TLS) destination: uploads through camel-ftp to a {@code .part} name renamed on completion;
 * lists, reads, deletes and sweeps with commons-net.
 * <p>
 * Options ({@code backroute.destinations.<name>.<option>}): {@code host} (required); {@code port} (default 21);
 * {@code username} (required); {@code password} (required, secret); {@code path} (existing directory below the
 * login directory, default the login directory itself; a leading '/' makes it absolute); {@code connectTimeout}
 * (ms, default 10000). FTPS only: {@code trustStore} (PKCS12/JKS file with the server's certificate or CA; default
 * the JVM's trusted CAs), {@code trustStorePassword} (secret), {@code trustStoreType} (default PKCS12).
 * Passive mode and binary transfers are always used.
 */
public class FtpDestination extends RemoteDestination {

    private final boolean tls;
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final String root;
    private final int connectTimeout;
    private final String trustStore;
    private final String trustStorePassword;
    private final String trustStoreType;

    public FtpDestination(String name, boolean tls, Map<String, String> options, CamelContext camel) {
        super(name, camel);
        this.tls = tls;
        this.host = options.get("host").strip();
        this.port = Keys.port(options, 21);
        this.username = options.get("username").strip();
        this.password = options.get("password");
        String path = Keys.opt(options, "path", "");
        this.root = (path.startsWith("/") ? "/" : "") + Keys.dir(path);
        this.connectTimeout = Integer.parseInt(Keys.opt(options, "connectTimeout", "10000"));
        this.trustStore = Keys.opt(options, "trustStore", null);
        this.trustStorePassword = Keys.opt(options, "trustStorePassword", null);
        this.trustStoreType = Keys.opt(options, "trustStoreType", "PKCS12");
        secret(password);
        secret(trustStorePassword);
    }

    @Override public String kind() { return tls ? "ftps" : "ftp"; }

    @Override
    public String location() {
        return kind() + "://" + username + "@" + host + ":" + port + "/" + Keys.dir(root);
    }

    private String remote(String relative) {
        String r = Keys.join(root, relative);
        return r.isEmpty() ? "." : r;
    }

    @Override
    protected String uploadUri(String key, long size) {
        String dir = Keys.join(root, Keys.parent(key));
        // camel-ftp treats the path as relative to the login directory unless it starts with a second '/'
        StringBuilder uri = new StringBuilder(kind()).append("://").append(username).append('@').append(host).append(':').append(port)
                .append('/').append(dir)
                .append("?password=RAW(").append(password).append(')')
                .append("&stepwise=false&passiveMode=true&binary=true&fileExist=Fail&tempFileName=${file:onlyname}").append(TEMP_SUFFIX)
                .append("&disconnect=true&maximumReconnectAttempts=0&throwExceptionOnConnectFailed=true")
                .append("&bufferSize=1048576&connectTimeout=").append(connectTimeout)
                // sockets a delivery timeout can abort (Transfers)
                .append("&ftpClient.socketFactory=#").append(SOCKETS_BEAN);
        if (tls) {
            uri.append("&implicit=false&execPbsz=0&execProt=P");
            if (trustStore != null) {
                uri.append("&ftpClient.trustStore.file=").append(trustStore)
                        .append("&ftpClient.trustStore.type=").append(trustStoreType);
                if (trustStorePassword != null) {
                    uri.append("&ftpClient.trustStore.password=RAW(").append(trustStorePassword).append(')');
                }
            }
        }
        return uri.toString();
    }

    /** One connected, logged-in client; the caller disconnects it. */
    private FTPClient connect(String what) {
        FTPClient client;
        if (tls) {
            FTPSClient s = new FTPSClient(false);
            if (trustStore != null) {
                s.setTrustManager(trustManager()[0]);
            }
            client = s;
        } else {
            client = new FTPClient();
        }
        client.setSocketFactory(Transfers.socketFactory());
        client.setConnectTimeout(connectTimeout);
        client.setDefaultTimeout(connectTimeout);
        try {
            client.connect(host, port);
            if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
                throw new DestinationException(name, what + ": server refused the connection: " + reply(client), false, null);
            }
            if (client instanceof FTPSClient s) {
                s.execPBSZ(0);
                s.execPROT("P");
            }
            if (!client.login(username, password)) {
                throw new DestinationException(name, what + ": login as " + username + " failed: " + reply(client), true, null);
            }
            client.enterLocalPassiveMode();
            client.setFileType(FTP.BINARY_FILE_TYPE);
            client.setDataTimeout(Duration.ofMillis(Math.max(connectTimeout, 30_000)));
            return client;
        } catch (IOException e) {
            disconnect(client);
            throw translate(what, e);
        } catch (RuntimeException e) {
            disconnect(client);
            throw e;
        }
    }

    private javax.net.ssl.TrustManager[] trustManager() {
        try (InputStream in = Files.newInputStream(Path.of(trustStore))) {
            KeyStore ks = KeyStore.getInstance(trustStoreType);
            ks.load(in, trustStorePassword == null ? null : trustStorePassword.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new DestinationException(name, "cannot load trust store " + trustStore + ": " + e.getClass().getSimpleName(), true, null);
        }
    }

    private static String reply(FTPClient client) {
        String r = client.getReplyString();
        return r == null ? "no reply" : r.strip();
    }

    private void disconnect(FTPClient client) {
        if (client.isConnected()) {
            try {
                client.logout();
            } catch (IOException ignored) {
                // the connection is going away anyway
            }
            try {
                client.disconnect();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    @FunctionalInterface
    private interface FtpCall<T> {
        T call(FTPClient client) throws IOException;
    }

    private <T> T withClient(String what, FtpCall<T> call) {
        FTPClient client = connect(what);
        try {
            return call.call(client);
        } catch (IOException e) {
            throw translate(what, e);
        } finally {
            disconnect(client);
        }
    }

    @Override
    protected void checkRoot() {
        if (root.isEmpty()) {
            return;
        }
        withClient("check directory " + root, c -> {
            if (!c.changeWorkingDirectory(root)) {
                throw new DestinationException(name, "directory " + root + " does not exist or is not accessible: " + reply(c), true, null);
            }
            return null;
        });
    }

    @Override
    protected void cleanupFailedPut(String key) {
        withClient("remove temp of " + key, c -> c.deleteFile(remote(key + TEMP_SUFFIX)));
    }

    @Override
    protected boolean isPermanent(Throwable t) {
        GenericFileOperationFailedException g = find(t, GenericFileOperationFailedException.class);
        if (g != null && (g.getCode() == 530 || g.getCode() == 532 || g.getCode() == 550 || g.getCode() == 553)) {
            return true;
        }
        SSLException ssl = find(t, SSLException.class);
        if (ssl != null && anyMessage(ssl, "PKIX", "certificate")) {
            return true;
        }
        return anyMessage(t, "530 ", "Login incorrect", "Cannot login");
    }

    /**
     * RFC 959 has 452 (insufficient storage) and 552 (exceeded storage allocation); some servers (Apache FtpServer,
     * vsftpd) answer any local write error during STOR, a full disk included, with 551/451 "Error on output file" or
     * "Failure writing", so those are reported as out of space or a write error at the server, and stay transient
     * (a write error may pass).
     */
    @Override
    protected Space outOfSpace(Throwable t) {
        Space plain = super.outOfSpace(t);
        if (plain != null) {
            return plain;
        }
        GenericFileOperationFailedException g = find(t, GenericFileOperationFailedException.class);
        if (g != null && (g.getCode() == 452 || g.getCode() == 552)) {
            return new Space("out of space at the server (FTP " + g.getCode() + ")", true);
        }
        if (g != null && (g.getCode() == 551 || g.getCode() == 451) && anyMessage(g, "Error on output file", "Failure writing")) {
            return new Space("out of space or write error at the server (FTP " + g.getCode() + ")", false);
        }
        return null;
    }

    @Override
    public OptionalLong stat(String key) {
        Keys.check(name, key);
        return withClient("stat " + key, c -> {
            FTPFile f = c.mlistFile(remote(key));
            return f != null && f.isFile() ? OptionalLong.of(f.getSize()) : OptionalLong.empty();
        });
    }

    /** Every file below dir (recursive), including temp names, as (relative key, file). */
    private void walk(FTPClient c, String dir, List<Map.Entry<String, FTPFile>> out) throws IOException {
        for (FTPFile f : c.mlistDir(remote(dir))) {
            String n = f.getName();
            if (n == null || n.equals(".") || n.equals("..")) {
                continue;
            }
            // some servers answer MLSD with full paths
            n = n.substring(n.lastIndexOf('/') + 1);
            String child = Keys.join(dir, n);
            if (f.isDirectory()) {
                walk(c, child, out);
            } else if (f.isFile()) {
                out.add(Map.entry(child, f));
            }
        }
    }

    @Override
    public List<String> list(String prefix) {
        String dir = Keys.dir(prefix);
        return withClient("list " + prefix, c -> {
            List<Map.Entry<String, FTPFile>> files = new ArrayList<>();
            walk(c, dir, files);
            return files.stream().map(Map.Entry::getKey).filter(k -> !k.endsWith(TEMP_SUFFIX)).sorted().toList();
        });
    }

    @Override
    public InputStream open(String key) {
        Keys.check(name, key);
        FTPClient client = connect("open " + key);
        try {
            InputStream in = client.retrieveFileStream(remote(key));
            if (in == null) {
                String r = reply(client);
                disconnect(client);
                throw new DestinationException(name, "open " + key + ": " + r, client.getReplyCode() == 550, null);
            }
            return new CloseOnceInputStream(in, () -> {
                if (!client.completePendingCommand()) {
                    throw new IOException(name + ": download of " + key + " incomplete: " + reply(client));
                }
            }, () -> disconnect(client));
        } catch (IOException e) {
            disconnect(client);
            throw translate("open " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        Keys.check(name, key);
        withClient("delete " + key, c -> {
            if (!c.deleteFile(remote(key))) {
                String r = reply(c);
                FTPFile still = c.mlistFile(remote(key));
                if (still != null) {
                    throw new DestinationException(name, "delete " + key + " failed: " + r, c.getReplyCode() == 550, null);
                }
            }
            return null;
        });
    }

    @Override
    public List<String> sweepTemp(String prefix, Duration grace) {
        String dir = Keys.dir(prefix);
        Instant cutoff = Instant.now().minus(grace);
        return withClient("sweep " + prefix, c -> {
            List<Map.Entry<String, FTPFile>> files = new ArrayList<>();
            walk(c, dir, files);
            List<String> removed = new ArrayList<>();
            for (Map.Entry<String, FTPFile> e : files) {
                FTPFile f = e.getValue();
                if (e.getKey().endsWith(TEMP_SUFFIX) && f.getTimestamp() != null
                        && f.getTimestamp().toInstant().isBefore(cutoff) && c.deleteFile(remote(e.getKey()))) {
                    removed.add(e.getKey());
                }
            }
            return removed;
        });
    }

    /** Provider for {@code kind=ftp}; see {@link FtpDestination} for the options. */
    public static class Provider implements DestinationProvider {
        @Override public String kind() { return "ftp"; }

        @Override
        public void validate(String name, Map<String, String> options, List<String> problems) {
            Keys.require(name, options, "host", "set the FTP server host name", problems);
            Keys.require(name, options, "username", "set the FTP user", problems);
            Keys.require(name, options, "password", "set the FTP password (from {{env:...}} or a file)", problems);
            Keys.port(name, options, problems);
            String t = options.get("connectTimeout");
            if (t != null && !t.isBlank() && !t.strip().matches("\\d{1,7}")) {
                problems.add(Keys.key(name, "connectTimeout") + ": " + t + " is not a number of milliseconds");
            }
        }

        @Override
        public Destination create(String name, Map<String, String> options, CamelContext camel) {
            return new FtpDestination(name, false, options, camel);
        }
    }

    /** Provider for {@code kind=ftps} (explicit TLS); see {@link FtpDestination} for the options. */
    public static class FtpsProvider extends Provider {
        @Override public String kind() { return "ftps"; }

        @Override
        public void validate(String name, Map<String, String> options, List<String> problems) {
            super.validate(name, options, problems);
            Keys.readableFile(name, options, "trustStore", problems);
        }

        @Override
        public Destination create(String name, Map<String, String> options, CamelContext camel) {
            return new FtpDestination(name, true, options, camel);
        }
    }
}
