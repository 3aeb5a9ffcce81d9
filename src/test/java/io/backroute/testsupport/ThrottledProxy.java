package io.backroute.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An in-process TCP proxy on a free port of 127.0.0.1 that forwards to a real server and limits the client-to-server
 * bytes per second of all its connections together (a slow uplink), changeable while running; each connection is
 * recorded ({@link Link}) so a test can see how much reached the server and when the connection went away.
 * <p>
 * Plain sockets and two threads per connection. Buffers are bounded: one chunk per direction in the proxy, and small
 * socket buffers on the proxy's side so a throttled client blocks instead of parking megabytes in the kernel.
 */
public final class ThrottledProxy implements AutoCloseable {

    /** Socket buffer of the proxy's sockets towards the client: what the kernel may hold beyond the rate. */
    private static final int SOCKET_BUFFER = 64 * 1024;
    private static final int DOWN_CHUNK = 64 * 1024;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Object pace = new Object();
    private volatile long bytesPerSecond;
    /** Virtual clock of the uplink: when the next chunk may be sent (System.nanoTime scale). */
    private long nextSendNanos = System.nanoTime();
    private volatile boolean closed;

    /** One proxied connection: bytes that reached the server and the client, and when it was closed (0 while open). */
    public static final class Link {
        final int id;
        final long openedNanos = System.nanoTime();
        final AtomicLong up = new AtomicLong();
        final AtomicLong down = new AtomicLong();
        volatile long closedNanos;
        private final Socket client;
        private Socket server;

        Link(int id, Socket client) {
            this.id = id;
            this.client = client;
        }

        public int id() {
            return id;
        }

        public long bytesUp() {
            return up.get();
        }

        public long bytesDown() {
            return down.get();
        }

        public boolean open() {
            return closedNanos == 0;
        }

        /** System.nanoTime() when the connection was closed; 0 while open. */
        public long closedNanos() {
            return closedNanos;
        }

        public long openedNanos() {
            return openedNanos;
        }

        synchronized void shutdownUp() throws IOException {
            if (server != null && !server.isClosed()) {
                server.shutdownOutput();
            }
        }

        synchronized void close() {
            if (closedNanos == 0) {
                closedNanos = System.nanoTime();
            }
            closeQuietly(client);
            if (server != null) {
                closeQuietly(server);
            }
        }

        @Override
        public String toString() {
            return "link " + id + (open() ? " open" : " closed") + ", " + up.get() + " bytes up, " + down.get() + " down";
        }
    }

    /** @param bytesPerSecond client-to-server limit; 0 or less: unlimited */
    public ThrottledProxy(String targetHost, int targetPort, long bytesPerSecond) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        try {
            listener = new ServerSocket();
            // inherited by accepted sockets, and only effective when set before bind
            listener.setReceiveBufferSize(SOCKET_BUFFER);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
        acceptor = new Thread(this::accept, "throttled-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Changes the client-to-server limit from now on (0 or less: unlimited). */
    public void rate(long bytesPerSecond) {
        synchronized (pace) {
            this.bytesPerSecond = bytesPerSecond;
            nextSendNanos = Math.max(nextSendNanos, System.nanoTime());
        }
    }

    public long rate() {
        return bytesPerSecond;
    }

    /** Every connection accepted so far, in order. */
    public List<Link> links() {
        return List.copyOf(links);
    }

    /** Client-to-server bytes that reached the server, all connections together. */
    public long bytesUp() {
        return links.stream().mapToLong(Link::bytesUp).sum();
    }

    public long openConnections() {
        return links.stream().filter(Link::open).count();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("throttled proxy: accept failed: " + e);
                }
                return;
            }
            Link link = new Link(ids.incrementAndGet(), client);
            links.add(link);
            try {
                client.setTcpNoDelay(true);
                Socket server = new Socket();
                server.setSendBufferSize(SOCKET_BUFFER);
                server.setTcpNoDelay(true);
                synchronized (link) {
                    link.server = server;
                }
                server.connect(new InetSocketAddress(targetHost, targetPort), 5000);
                if (closed) {
                    link.close();
                    return;
                }
                start(link, "up", () -> pump(link, client.getInputStream(), server.getOutputStream(), true));
                start(link, "down", () -> pump(link, server.getInputStream(), client.getOutputStream(), false));
            } catch (IOException e) {
                // target down: the client sees its connection closed, as with a dead server behind a NAT
                link.close();
            }
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    private void start(Link link, String direction, Pump pump) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException e) {
                // either side went away (or reset): the other follows
                link.close();
            }
        }, "throttled-proxy-" + port() + "-" + link.id + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void pump(Link link, InputStream in, OutputStream out, boolean up) throws IOException {
        byte[] buf = new byte[up ? SOCKET_BUFFER : DOWN_CHUNK];
        while (true) {
            int max = up ? chunk() : buf.length;
            int n = in.read(buf, 0, max);
            if (n < 0) {
                if (up) {
                    // the client half-closed: pass it on and let the server's answer still come back
                    link.shutdownUp();
                    return;
                }
                link.close();
                return;
            }
            if (up) {
                awaitTurn(n);
            }
            out.write(buf, 0, n);
            out.flush();
            (up ? link.up : link.down).addAndGet(n);
        }
    }

    /** Small enough that one chunk is about a tenth of a second at the current rate. */
    private int chunk() {
        long rate = bytesPerSecond;
        if (rate <= 0) {
            return SOCKET_BUFFER;
        }
        return (int) Math.max(512, Math.min(SOCKET_BUFFER, rate / 10));
    }

    /** Waits until the uplink has room for {@code n} more bytes at the current rate. */
    private void awaitTurn(int n) throws IOException {
        long until;
        synchronized (pace) {
            long rate = bytesPerSecond;
            if (rate <= 0) {
                return;
            }
            // the chunk leaves at the end of its slot: by any time t, at most rate * t bytes have left (no burst)
            until = Math.max(nextSendNanos, System.nanoTime()) + n * 1_000_000_000L / rate;
            nextSendNanos = until;
        }
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            if (closed) {
                throw new IOException("proxy closed");
            }
            LockSupport.parkNanos(Math.min(left, 50_000_000L));
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops accepting and closes both sides of every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.forEach(Link::close);
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
