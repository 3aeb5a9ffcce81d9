package io.backroute.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * Makes the transfers of one delivery abortable from another thread. A {@link Scope} is bound to the delivering
 * thread; every connection opened on that thread by the destinations (the sockets camel-ftp, camel-smb, JSch and
 * smbj open through {@link #socketFactory()} or {@link #sshProxy()}, the HTTP requests of the S3 client through
 * {@link #httpClient}) registers with it, and {@link Scope#abort} closes them: a write blocked on a slow or hung
 * server fails at once, which a "stop waiting" timeout (e.g. the split's) cannot do.
 */
public final class Transfers {

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    private static final javax.net.SocketFactory SOCKETS = new TrackedSocketFactory();

    private Transfers() { }

    /** Binds a new scope to the calling thread until it is closed. */
    public static Scope begin() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The transfers of one delivery on one thread. */
    public static final class Scope implements AutoCloseable {
        private final Scope previous;
        private final Map<Object, Closeable> open = new ConcurrentHashMap<>();
        private final CountDownLatch abortedLatch = new CountDownLatch(1);
        private volatile String reason;

        private Scope(Scope previous) {
            this.previous = previous;
        }

        /** Closes every connection of the scope (from any thread); later connections in it fail at once. */
        public void abort(String why) {
            reason = why;
            abortedLatch.countDown();
            open.values().forEach(Transfers::closeQuietly);
        }

        /** Why the scope was aborted, or null. */
        public String aborted() {
            return reason;
        }

        /** Waits {@code d} or until aborted; true when aborted. */
        public boolean awaitAbort(Duration d) throws InterruptedException {
            return abortedLatch.await(d.toNanos(), TimeUnit.NANOSECONDS);
        }

        void add(Object key, Closeable abort) throws InterruptedIOException {
            open.put(key, abort);
            if (reason != null) {
                open.remove(key);
                closeQuietly(abort);
                throw new InterruptedIOException("transfer aborted: " + reason);
            }
        }

        void remove(Object key) {
            open.remove(key);
        }

        @Override
        public void close() {
            if (CURRENT.get() == this) {
                if (previous == null) {
                    CURRENT.remove();
                } else {
                    CURRENT.set(previous);
                }
            }
        }
    }

    /** Waits {@code d}, or less when the calling thread's scope is aborted meanwhile (a retry backoff past the deadline). */
    public static void sleep(Duration d) throws InterruptedException {
        Scope s = CURRENT.get();
        if (s == null) {
            Thread.sleep(d.toMillis());
        } else {
            s.awaitAbort(d);
        }
    }

    /** Registers a connection with the calling thread's scope, if any; fails when that scope is aborted. */
    static void track(Object key, Closeable abort) throws InterruptedIOException {
        Scope s = CURRENT.get();
        if (s != null) {
            s.add(key, abort);
        }
    }

    static void untrack(Object key) {
        Scope s = CURRENT.get();
        if (s != null) {
            s.remove(key);
        }
    }

    /**
     * Runs {@code body} outside any scope: cleaning up after an abort (removing a temp name, aborting a multipart
     * upload) needs a fresh connection the aborted scope would refuse; the next run's sweep is the backstop.
     */
    static <T> T untracked(Supplier<T> body) {
        Scope s = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            if (s != null) {
                CURRENT.set(s);
            }
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // aborting: the connection is going away either way
        }
    }

    /** Plain TCP sockets that register with the creating thread's scope; TLS layers (FTPS) wrap them. */
    static javax.net.SocketFactory socketFactory() {
        return SOCKETS;
    }

    /** A socket whose abort resets the connection (RST), discarding unsent data, instead of a graceful FIN. */
    static final class TrackedSocket extends Socket {
        TrackedSocket() throws InterruptedIOException {
            track(this, () -> {
                try {
                    setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // not connected yet, or already closed
                }
                super.close();
            });
        }

        @Override
        public synchronized void close() throws IOException {
            untrack(this);
            super.close();
        }
    }

    private static final class TrackedSocketFactory extends javax.net.SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            return new TrackedSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = new TrackedSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket s = new TrackedSocket();
            s.bind(new InetSocketAddress(localHost, localPort));
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = new TrackedSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            Socket s = new TrackedSocket();
            s.bind(new InetSocketAddress(localAddress, localPort));
            s.connect(new InetSocketAddress(address, port));
            return s;
        }
    }

    /**
     * A JSch proxy that connects directly with a tracked socket (camel-ftp's sftp endpoint takes a proxy, not a socket
     * factory). One instance serves every session of an endpoint: JSch calls connect and the getters under a lock on the
     * proxy from the connecting thread, so the socket is handed over through a thread-local; JSch closes the socket's
     * streams itself on disconnect, so {@link #close} has nothing of its own to close.
     */
    static com.jcraft.jsch.Proxy sshProxy() {
        return new DirectSshProxy();
    }

    private static final class DirectSshProxy implements com.jcraft.jsch.Proxy {
        private final ThreadLocal<Socket> socket = new ThreadLocal<>();

        @Override
        public void connect(com.jcraft.jsch.SocketFactory ignored, String host, int port, int timeout) throws Exception {
            Socket s = new TrackedSocket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(host, port), timeout);
            } catch (IOException e) {
                s.close();
                throw e;
            }
            socket.set(s);
        }

        @Override
        public InputStream getInputStream() {
            try {
                return socket.get().getInputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public OutputStream getOutputStream() {
            try {
                return socket.get().getOutputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Socket getSocket() {
            return socket.get();
        }

        @Override
        public void close() {
            socket.remove();
        }
    }

    /** Wraps an SDK HTTP client so each request in flight registers its abort with the calling thread's scope. */
    static SdkHttpClient httpClient(SdkHttpClient delegate) {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                ExecutableHttpRequest r = delegate.prepareRequest(request);
                return new ExecutableHttpRequest() {
                    @Override
                    public HttpExecuteResponse call() throws IOException {
                        try {
                            track(this, r::abort);
                            return r.call();
                        } catch (IOException e) {
                            Scope s = CURRENT.get();
                            if (s != null && s.aborted() != null) {
                                // not an I/O error the SDK should retry (each retry would be refused, after a backoff): no IOException
                                // as cause either, since the SDK retries on that
                                throw AbortedException.create("transfer aborted: " + s.aborted());
                            }
                            throw e;
                        } finally {
                            untrack(this);
                        }
                    }

                    @Override
                    public void abort() {
                        r.abort();
                    }
                };
            }

            @Override
            public String clientName() {
                return delegate.clientName();
            }

            @Override
            public void close() {
                delegate.close();
            }
        };
    }
}
