package io.backroute.testsupport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.filesystem.nativefs.NativeFileSystemFactory;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.Ftplet;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.FtpFile;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * An in-process Apache FtpServer on 127.0.0.1 with one user; {@link #ftps()} adds explicit TLS with a
 * keystore generated at runtime by keytool, {@link #failUploadsAfter(long)} breaks uploads mid-transfer,
 * {@link #ftpWithUploadRate} limits the user's upload rate (FtpServer's own TransferRatePermission) and
 * {@link #hook} sees (and may answer) every command.
 */
public final class FtpTestServer implements AutoCloseable {

    public static final String USER = "backroute";
    public static final String PASSWORD = "ftp-Pw-3e7a-secret";
    private static final String STORE_PASSWORD = "store-Pw-81c2";

    private final Path dir;
    private final Path home;
    private final boolean tls;
    private final FtpServer server;
    private final int port;
    private Path trustStore;
    private final AtomicLong failAfter = new AtomicLong(-1);
    private volatile Ftplet hook;
    private final Map<FtpFile, FtpFile> unwrapped = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    public static FtpTestServer ftp() throws Exception {
        return new FtpTestServer(false, 0);
    }

    public static FtpTestServer ftps() throws Exception {
        return new FtpTestServer(true, 0);
    }

    /** A slow FTP server: uploads of its user are throttled by the server to {@code bytesPerSecond}. */
    public static FtpTestServer ftpWithUploadRate(int bytesPerSecond) throws Exception {
        return new FtpTestServer(false, bytesPerSecond);
    }

    private FtpTestServer(boolean tls, int uploadRate) throws Exception {
        this.tls = tls;
        dir = Files.createTempDirectory(tls ? "ftps-" : "ftp-");
        home = Files.createDirectories(dir.resolve("home"));

        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(0);
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress("127.0.0.1");
        data.setPassiveExternalAddress("127.0.0.1");
        if (tls) {
            SslConfiguration ssl = generateKeystores();
            listener.setSslConfiguration(ssl);
            listener.setImplicitSsl(false);
            data.setSslConfiguration(ssl);
        }
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        factory.addListener("default", listener.createListener());

        UserManager users = new PropertiesUserManagerFactory().createUserManager();
        BaseUser user = new BaseUser();
        user.setName(USER);
        user.setPassword(PASSWORD);
        user.setHomeDirectory(home.toString());
        user.setAuthorities(uploadRate > 0
                ? List.of(new WritePermission(), new org.apache.ftpserver.usermanager.impl.TransferRatePermission(0, uploadRate))
                : List.of(new WritePermission()));
        users.save(user);
        factory.setUserManager(users);
        factory.setFileSystem(this::failingView);
        // FtpServer mutates the ftplet map on stop: it must not be immutable
        Map<String, Ftplet> ftplets = new HashMap<>();
        ftplets.put("test-hook", new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
                Ftplet h = hook;
                return h == null ? FtpletResult.DEFAULT : h.beforeCommand(session, request);
            }
        });
        factory.setFtplets(ftplets);

        server = factory.createServer();
        server.start();
        port = factory.getListener("default").getPort();
    }

    private SslConfiguration generateKeystores() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.pem");
        trustStore = dir.resolve("trust.p12");
        run("keytool", "-genkeypair", "-alias", "ftps", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        run("keytool", "-exportcert", "-rfc", "-alias", "ftps", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
                "-file", cert.toString());
        run("keytool", "-importcert", "-noprompt", "-alias", "ftps", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        SslConfigurationFactory ssl = new SslConfigurationFactory();
        ssl.setKeystoreFile(keyStore.toFile());
        ssl.setKeystoreType("PKCS12");
        ssl.setKeystorePassword(STORE_PASSWORD);
        ssl.setKeyPassword(STORE_PASSWORD);
        return ssl.createSslConfiguration();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command[0] + " " + command[1] + " failed: " + out);
        }
    }

    /** The native file system, with output streams that fail after {@link #failUploadsAfter} bytes when armed. */
    private FileSystemView failingView(org.apache.ftpserver.ftplet.User user) throws org.apache.ftpserver.ftplet.FtpException {
        FileSystemView view = new NativeFileSystemFactory().createFileSystemView(user);
        return (FileSystemView) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FileSystemView.class},
                (proxy, method, args) -> {
                    Object result = invoke(view, method, args);
                    return result instanceof FtpFile f ? failingFile(f) : result;
                });
    }

    private FtpFile failingFile(FtpFile file) {
        FtpFile wrapped = (FtpFile) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FtpFile.class},
                (proxy, method, args) -> {
                    // the native file system casts arguments (move's target) to its own class: unwrap ours
                    if (args != null) {
                        for (int i = 0; i < args.length; i++) {
                            if (args[i] instanceof FtpFile f && Proxy.isProxyClass(f.getClass())) {
                                args[i] = unwrapped.get(f);
                            }
                        }
                    }
                    Object result = invoke(file, method, args);
                    long limit = failAfter.get();
                    if (method.getName().equals("createOutputStream") && limit >= 0) {
                        return new FilterOutputStream((OutputStream) result) {
                            long written;

                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                                if (written + len > limit) {
                                    throw new IOException("test server: connection dropped after " + written + " bytes");
                                }
                                written += len;
                                out.write(b, off, len);
                            }
                        };
                    }
                    return result;
                });
        unwrapped.put(wrapped, file);
        return wrapped;
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Every upload from now on fails after {@code bytes} bytes (server side, mid-transfer); -1 disarms. */
    public void failUploadsAfter(long bytes) {
        failAfter.set(bytes);
    }

    /** Sees every command before the server does (count them, or answer with an error and SKIP); null removes it. */
    public void hook(Ftplet ftplet) {
        hook = ftplet;
    }

    public int port() {
        return port;
    }

    /** The user's home: "/" as the FTP client sees it. */
    public Path home() {
        return home;
    }

    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return STORE_PASSWORD;
    }

    /** Destination options for directory {@code path} (relative to the login directory). */
    public Map<String, String> options(String path) {
        Map<String, String> o = new HashMap<>();
        o.put("host", "127.0.0.1");
        o.put("port", String.valueOf(port));
        o.put("username", USER);
        o.put("password", PASSWORD);
        o.put("path", path);
        if (tls) {
            o.put("trustStore", trustStore.toString());
            o.put("trustStorePassword", STORE_PASSWORD);
        }
        return o;
    }

    public void stop() {
        if (!server.isStopped()) {
            server.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
