package io.backroute.dump;

import io.backroute.BackupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one child process without a shell, streaming its stdout through a fixed buffer, keeping a bounded
 * stderr tail, enforcing a timeout by killing the whole process tree, and failing loudly on a non-zero exit.
 */
public final class ProcessRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);

    /** Bytes of stderr kept (the tail); older bytes are dropped so a chatty tool cannot exhaust memory. */
    public static final int STDERR_TAIL_BYTES = 64 * 1024;
    /** Lines of stderr shown in an error message. */
    public static final int STDERR_TAIL_LINES = 40;
    /** Upper bound for {@link #run()} output, which is meant for versions and tiny queries only. */
    public static final int MAX_TEXT_OUTPUT = 1024 * 1024;

    private static final int BUFFER = 64 * 1024;
    private static final String MASK = "********";

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backroute-process-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<String> removedEnv = new HashSet<>();
    private final Set<String> secrets = new HashSet<>();
    private String name;
    private String stage = "dump";
    private Duration timeout = Duration.ofHours(6);
    private Path workDir;
    private StdinFeed stdin;

    /**
     * Writes the child's stdin. Throwing aborts the child: the process tree is killed <em>before</em> stdin is
     * closed, so a tool that commits on end of input (pg_restore --single-transaction, psql) never sees a clean end.
     */
    @FunctionalInterface
    public interface StdinFeed {
        void writeTo(OutputStream stdin) throws IOException;
    }

    private ProcessRunner(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.command = List.copyOf(command);
        this.name = Path.of(command.get(0)).getFileName().toString();
    }

    /** A runner for an explicit argument list; the first element is the executable. */
    public static ProcessRunner of(List<String> command) {
        return new ProcessRunner(command);
    }

    public static ProcessRunner of(String... command) {
        return new ProcessRunner(Arrays.asList(command));
    }

    /** What the errors call this process, e.g. {@code pg_dump of database "orders"}. */
    public ProcessRunner name(String name) {
        this.name = Objects.requireNonNull(name);
        return this;
    }

    /** BackupException stage for failures ({@code dump} by default). */
    public ProcessRunner stage(String stage) {
        this.stage = Objects.requireNonNull(stage);
        return this;
    }

    public ProcessRunner timeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout);
        return this;
    }

    public ProcessRunner workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Adds an environment variable for the child; the value is treated as a possible secret only if also passed to {@link #secret}. */
    public ProcessRunner env(String key, String value) {
        env.put(key, value);
        removedEnv.remove(key);
        return this;
    }

    /** Removes an inherited variable, so a stray PGPASSWORD or MYSQL_PWD cannot override explicit configuration. */
    public ProcessRunner removeEnv(String key) {
        env.remove(key);
        removedEnv.add(key);
        return this;
    }

    /** A value to scrub from every message this runner produces (passwords). */
    public ProcessRunner secret(String value) {
        if (value != null && !value.isEmpty()) {
            secrets.add(value);
        }
        return this;
    }

    public List<String> command() {
        return command;
    }

    /** Feeds the child's stdin from {@code feed} in a separate thread while stdout is drained (default: /dev/null). */
    public ProcessRunner stdin(StdinFeed feed) {
        this.stdin = feed;
        return this;
    }

    /**
     * Runs the process, copying stdout into {@code out} (not closed), and returns the number of bytes copied.
     * Throws BackupException on timeout, non-zero exit or failure to start; an IOException from {@code out}
     * kills the process tree and is rethrown unchanged.
     */
    public long streamTo(OutputStream out) throws IOException {
        long started = System.nanoTime();
        Process process = start();
        StderrTail stderr = new StderrTail(process.getErrorStream());
        Thread stderrThread = new Thread(stderr, "stderr-" + Path.of(command.get(0)).getFileName());
        stderrThread.setDaemon(true);
        stderrThread.start();

        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            killTree(process);
        }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        Feeder feeder = null;
        if (stdin != null) {
            feeder = new Feeder(process, stdin);
            feeder.start();
        }

        long bytes = 0;
        try (InputStream in = process.getInputStream()) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
                bytes += n;
            }
        } catch (IOException e) {
            watchdog.cancel(false);
            killTree(process);
            joinFeeder(feeder);
            if (timedOut.get()) {
                throw failure("timed out after " + format(timeout) + stderrSuffix(stderr, stderrThread), null);
            }
            throw e;
        } catch (RuntimeException | Error e) {
            watchdog.cancel(false);
            killTree(process);
            joinFeeder(feeder);
            throw e;
        }

        // Exit code only after stdout is drained: a tool blocked on a full pipe never exits.
        int exit;
        try {
            long remaining = timeout.toNanos() - (System.nanoTime() - started);
            if (!process.waitFor(Math.max(1, remaining), TimeUnit.NANOSECONDS)) {
                timedOut.set(true);
                killTree(process);
                process.waitFor(10, TimeUnit.SECONDS);
            }
            exit = process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(process);
            throw failure("interrupted", e);
        } finally {
            watchdog.cancel(false);
        }
        Throwable feedFailure = joinFeeder(feeder);
        if (feedFailure != null && !(feeder.brokenPipe() && exit != 0 && !timedOut.get())) {
            String m = feedFailure.getMessage() == null ? feedFailure.getClass().getSimpleName() : feedFailure.getMessage();
            throw failure("was aborted because its input failed: " + m, feedFailure);
        }
        if (timedOut.get()) {
            throw failure("timed out after " + format(timeout) + " (" + bytes + " bytes streamed)"
                    + stderrSuffix(stderr, stderrThread), null);
        }
        String tail = stderrTail(stderr, stderrThread);
        if (exit != 0) {
            throw failure("failed with exit code " + describeExit(exit) + (tail.isEmpty() ? "" : ": " + tail), null);
        }
        if (!tail.isEmpty()) {
            LOG.debug("{} stderr: {}", name, tail);
        }
        LOG.debug("{} finished: {} bytes in {} ms", name, bytes, (System.nanoTime() - started) / 1_000_000);
        return bytes;
    }

    /** Runs a short command and returns its stdout as UTF-8 text (at most {@link #MAX_TEXT_OUTPUT} bytes). */
    public String run() {
        BoundedText text = new BoundedText();
        try {
            streamTo(text);
        } catch (IOException e) {
            throw failure(e.getMessage(), e);
        }
        return text.toString();
    }

    private Process start() {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Map<String, String> childEnv = pb.environment();
        removedEnv.forEach(childEnv::remove);
        childEnv.putAll(env);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw failure("could not start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static Throwable joinFeeder(Feeder feeder) {
        if (feeder == null) {
            return null;
        }
        try {
            feeder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return feeder.failure;
    }

    /** Copies the feed into the child's stdin; on failure kills the child first, then closes stdin. */
    private static final class Feeder extends Thread {
        private final Process process;
        private final StdinFeed feed;
        private volatile Throwable failure;

        Feeder(Process process, StdinFeed feed) {
            super("stdin-" + process.pid());
            setDaemon(true);
            this.process = process;
            this.feed = feed;
        }

        @Override
        public void run() {
            OutputStream in = process.getOutputStream();
            try {
                feed.writeTo(in);
            } catch (Throwable e) {
                failure = e;
                if (!brokenPipe()) {
                    killTree(process);
                }
            } finally {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the child exited early; its exit code tells why
                }
            }
        }

        /** The child closed its stdin (it exited or failed early): its exit code is the better error. */
        boolean brokenPipe() {
            return failure instanceof IOException && failure.getMessage() != null
                    && (failure.getMessage().contains("Broken pipe") || failure.getMessage().contains("Stream closed"));
        }
    }

    /** Kills descendants first (snapshot before the parent dies, when they would be re-parented), then the process. */
    static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>();
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle h : tree) {
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("process tree of pid {} did not exit after kill: {}", process.pid(), e.toString());
        }
    }

    private BackupException failure(String what, Throwable cause) {
        return new BackupException(stage, scrub(name + " " + what), cause);
    }

    private String stderrSuffix(StderrTail stderr, Thread thread) {
        String tail = stderrTail(stderr, thread);
        return tail.isEmpty() ? "" : ": " + tail;
    }

    private String stderrTail(StderrTail stderr, Thread thread) {
        try {
            // A grandchild holding stderr open must not hang us: the tail so far is good enough.
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return scrub(stderr.tail());
    }

    String scrub(String text) {
        String s = text;
        for (String secret : secrets) {
            s = s.replace(secret, MASK);
        }
        return s;
    }

    private static String describeExit(int exit) {
        if (exit > 128 && exit < 160) {
            return exit + " (killed by signal " + (exit - 128) + ")";
        }
        return Integer.toString(exit);
    }

    /** Formats a duration the way users write it in options: 3s, 90s, 2h. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) return ms + "ms";
        long s = ms / 1000;
        if (s % 3600 == 0 && s > 0) return (s / 3600) + "h";
        if (s % 60 == 0 && s > 0 && s >= 600) return (s / 60) + "m";
        return s + "s";
    }

    /** Drains stderr into a ring buffer of the last {@link #STDERR_TAIL_BYTES} bytes. */
    private static final class StderrTail implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[STDERR_TAIL_BYTES];
        private long total;

        StderrTail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) != -1) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % ring.length)] = buf[i];
                        }
                    }
                }
            } catch (IOException e) {
                // The process was killed or closed its stderr: what we have is the tail.
            }
        }

        synchronized String tail() {
            int len = (int) Math.min(total, ring.length);
            byte[] out = new byte[len];
            long start = total - len;
            for (int i = 0; i < len; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            String[] lines = text.split("\\R");
            if (lines.length > STDERR_TAIL_LINES) {
                text = "..." + System.lineSeparator()
                        + String.join(System.lineSeparator(),
                                Arrays.asList(lines).subList(lines.length - STDERR_TAIL_LINES, lines.length));
            } else if (total > len) {
                text = "..." + text;
            }
            return text;
        }
    }

    /** Collects small text output and refuses to grow beyond {@link #MAX_TEXT_OUTPUT}. */
    private static final class BoundedText extends OutputStream {
        private byte[] buf = new byte[256];
        private int len;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int n) throws IOException {
            if (len + n > MAX_TEXT_OUTPUT) {
                throw new IOException("printed more than " + MAX_TEXT_OUTPUT + " bytes, expected a short answer");
            }
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        @Override
        public String toString() {
            return new String(buf, 0, len, StandardCharsets.UTF_8);
        }
    }
}
