package io.backroute.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A download stream of a remote destination that releases its connection when closed, exactly once: Closeable's
 * contract makes a second close a no-op, and wrappers (hashing, try-with-resources) do close twice.
 */
final class CloseOnceInputStream extends FilterInputStream {

    /** A close step that may fail. */
    interface Step {
        void run() throws IOException;
    }

    private final Step afterClose;
    private final Step always;
    private boolean closed;

    /**
     * @param afterClose runs after the stream is closed (e.g. confirm the transfer completed)
     * @param always     runs last, even when closing failed (release the connection)
     */
    CloseOnceInputStream(InputStream in, Step afterClose, Step always) {
        super(in);
        this.afterClose = afterClose;
        this.always = always;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            super.close();
            afterClose.run();
        } finally {
            always.run();
        }
    }
}
