package io.backroute.management;

import io.backroute.config.BackrouteConfig;
import io.backroute.config.ConfigurationException;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import javax.rmi.ssl.SslRMIServerSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote JMX for JConsole / VisualVM and the {@code pause}/{@code resume} commands: off by default; when
 * {@code backroute.jmx.remote.port} is set, an RMI connector on that one port (registry and connector), bound to
 * {@code backroute.jmx.remote.host}, requiring a password file and an access file, optionally over TLS.
 */
public final class RemoteJmx implements AutoCloseable {

    public static final String PORT = "backroute.jmx.remote.port";
    public static final String HOST = "backroute.jmx.remote.host";
    public static final String PASSWORD_FILE = "backroute.jmx.remote.password-file";
    public static final String ACCESS_FILE = "backroute.jmx.remote.access-file";
    public static final String SSL = "backroute.jmx.remote.ssl";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJmx.class);

    private final JMXConnectorServer server;
    private final Registry registry;
    private final JMXServiceURL url;

    private RemoteJmx(JMXConnectorServer server, Registry registry, JMXServiceURL url) {
        this.server = server;
        this.registry = registry;
        this.url = url;
    }

    /** The URL JConsole connects to: {@code service:jmx:rmi://HOST:PORT/jndi/rmi://HOST:PORT/jmxrmi}. */
    public static JMXServiceURL url(String host, int port) {
        try {
            return new JMXServiceURL("service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public JMXServiceURL url() {
        return url;
    }

    /** Problems of the remote JMX settings (empty when it is off or valid), for startup validation. */
    public static List<String> problems(BackrouteConfig config) {
        List<String> problems = new ArrayList<>();
        String port = config.get(PORT, "").trim();
        if (port.isEmpty()) {
            return problems;
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                problems.add(PORT + "=" + port + " is not a TCP port (1-65535)");
            }
        } catch (NumberFormatException e) {
            problems.add(PORT + "=" + port + " is not a number; set a TCP port or remove the key to keep remote JMX off");
        }
        for (String key : List.of(PASSWORD_FILE, ACCESS_FILE)) {
            String f = config.get(key, "").trim();
            if (f.isEmpty()) {
                problems.add(key + " is required when " + PORT + " is set: remote JMX never runs without authentication");
            } else if (!Files.isReadable(Path.of(f))) {
                problems.add(key + "=" + f + " is not a readable file");
            }
        }
        return problems;
    }

    /** Starts the connector when {@value #PORT} is set; returns null when remote JMX is off. */
    public static RemoteJmx startIfConfigured(BackrouteConfig config) {
        String port = config.get(PORT, "").trim();
        if (port.isEmpty()) {
            return null;
        }
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        String host = config.get(HOST, "127.0.0.1").trim();
        boolean ssl = Boolean.parseBoolean(config.get(SSL, "false").trim());
        return start(host, Integer.parseInt(port), Path.of(config.get(PASSWORD_FILE, "")),
                Path.of(config.get(ACCESS_FILE, "")), ssl);
    }

    public static RemoteJmx start(String host, int port, Path passwordFile, Path accessFile, boolean ssl) {
        try {
            InetAddress bind = InetAddress.getByName(host);
            RMIServerSocketFactory ssf = ssl ? new BoundSslServerSocketFactory(bind) : new BoundServerSocketFactory(bind);
            RMIClientSocketFactory csf = ssl ? new SslRMIClientSocketFactory() : null;
            Registry registry = LocateRegistry.createRegistry(port, csf, ssf);
            Map<String, Object> env = new HashMap<>();
            env.put("jmx.remote.x.password.file", passwordFile.toAbsolutePath().toString());
            env.put("jmx.remote.x.access.file", accessFile.toAbsolutePath().toString());
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, ssf);
            if (csf != null) {
                env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, csf);
                // JConsole looks the connector up in the registry over TLS too
                env.put("com.sun.jndi.rmi.factory.socket", csf);
            }
            // Only the standard JMX types may be deserialized from clients.
            env.put("jmx.remote.rmi.server.credentials.filter.pattern", "java.lang.String;!*");
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi");
            JMXConnectorServer server;
            try {
                server = JMXConnectorServerFactory.newJMXConnectorServer(url, env, ManagementFactory.getPlatformMBeanServer());
                server.start();
            } catch (IOException | RuntimeException e) {
                unexport(registry);
                throw e;
            }
            LOG.info("remote JMX listening on {} (authentication required{})", url, ssl ? ", TLS" : "");
            return new RemoteJmx(server, registry, url);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start remote JMX on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static void unexport(Registry registry) {
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException ignored) {
            // not exported
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            LOG.warn("stopping remote JMX {}: {}", url, e.getMessage());
        } finally {
            unexport(registry);
        }
    }

    /** Binds the RMI port to one address (127.0.0.1 by default) instead of every interface. */
    private record BoundServerSocketFactory(InetAddress bind) implements RMIServerSocketFactory, Serializable {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, bind);
        }
    }

    /** TLS server sockets bound to one address; equal instances share the port between registry and connector. */
    private static final class BoundSslServerSocketFactory extends SslRMIServerSocketFactory {
        private final InetAddress bind;

        BoundSslServerSocketFactory(InetAddress bind) {
            super(null, null, true);
            this.bind = bind;
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            javax.net.ssl.SSLServerSocketFactory f = (javax.net.ssl.SSLServerSocketFactory) javax.net.ssl.SSLServerSocketFactory.getDefault();
            javax.net.ssl.SSLServerSocket s = (javax.net.ssl.SSLServerSocket) f.createServerSocket(port, 50, bind);
            s.setNeedClientAuth(false);
            return s;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BoundSslServerSocketFactory other && Objects.equals(bind, other.bind);
        }

        @Override
        public int hashCode() {
            return Objects.hash(bind);
        }
    }
}
