package io.backroute.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * This JVM's child processes by executable name, how many bytes each has written (Linux {@code /proc/PID/io}), and
 * SIGSTOP/SIGCONT, so a fault test can act at a known point of a running dump instead of racing it.
 */
public final class ChildProcesses {

    private ChildProcesses() { }

    /** Live descendants of this JVM whose executable is named {@code name}. */
    public static List<ProcessHandle> named(String name) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
                .toList();
    }

    /** A live descendant named {@code name} that has written at least {@code bytes} (stdout included), if any. */
    public static Optional<ProcessHandle> written(String name, long bytes) {
        return named(name).stream().filter(h -> bytesWritten(h) >= bytes).findFirst();
    }

    /** Bytes the process has passed to write(2) so far ({@code wchar}), or -1 once it is gone. */
    public static long bytesWritten(ProcessHandle h) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(h.pid()), "io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring("wchar:".length()).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Freezes the process (SIGSTOP): it reads and writes nothing until {@link #resume}. */
    public static void suspend(ProcessHandle h) throws IOException, InterruptedException {
        signal("-STOP", h);
    }

    public static void resume(ProcessHandle h) throws IOException, InterruptedException {
        signal("-CONT", h);
    }

    private static void signal(String signal, ProcessHandle h) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", signal, Long.toString(h.pid())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + h.pid() + " failed");
        }
    }
}
