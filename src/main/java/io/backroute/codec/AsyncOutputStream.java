package io.backroute.codec;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands what is written to it over to a second thread that writes it downstream, so two CPU-bound stages
 * (compression upstream, encryption and hashing downstream) run on two cores. Memory is bounded by
 * {@code buffers × bufferSize}. A downstream failure surfaces on the next write or on close; close waits until
 * everything is written and the downstream stream is closed.
 */
public final class AsyncOutputStream extends OutputStream {

    private static final byte[] EOF = new byte[0];

    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> free;
    private final Thread worker;
    private volatile Throwable failure;
    private byte[] current;
    private int pos;
    private boolean closed;

    private record Chunk(byte[] data, int len) { }

    public AsyncOutputStream(OutputStream downstream, int bufferSize, int buffers, String threadName) {
        this.full = new ArrayBlockingQueue<>(buffers + 1);
        this.free = new ArrayBlockingQueue<>(buffers);
        for (int i = 0; i < buffers - 1; i++) {
            free.add(new byte[bufferSize]);
        }
        this.current = new byte[bufferSize];
        this.worker = new Thread(() -> drain(downstream), threadName);
        worker.setDaemon(true);
        worker.start();
    }

    private void drain(OutputStream downstream) {
        try (downstream) {
            while (true) {
                Chunk c = full.take();
                if (c.data() == EOF) {
                    break;
                }
                if (failure == null) {
                    downstream.write(c.data(), 0, c.len());
                }
                free.put(c.data());
            }
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
            // keep draining so a writer blocked on a full queue wakes up and sees the failure
            drainAfterFailure();
        }
    }

    private void drainAfterFailure() {
        try {
            while (true) {
                Chunk c = full.take();
                if (c.data() == EOF) {
                    return;
                }
                free.put(c.data());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void check() throws IOException {
        Throwable f = failure;
        if (f != null) {
            if (f instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw new IOException(f.toString(), f);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        check();
        while (len > 0) {
            int n = Math.min(len, current.length - pos);
            System.arraycopy(b, off, current, pos, n);
            pos += n;
            off += n;
            len -= n;
            if (pos == current.length) {
                handOff();
            }
        }
    }

    private void handOff() throws IOException {
        try {
            full.put(new Chunk(current, pos));
            current = free.take();
            pos = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing data to " + worker.getName());
        }
        check();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (pos > 0 && failure == null) {
                full.put(new Chunk(current, pos));
            }
            full.put(new Chunk(EOF, 0));
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while finishing " + worker.getName());
        }
        check();
    }
}
