package io.backroute.codec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test helper: runs a standard tool with an explicit argument list and captures its exit code and output. */
final class Proc {

    record Result(List<String> command, int exit, String stdout, String stderr) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError("command failed (exit " + exit + "): " + command + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    private Proc() {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), Map.of());
    }

    static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile("proc", ".out");
        Path err = Files.createTempFile("proc", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("command timed out: " + command);
            }
            // stdout here is small text (listings, fingerprints); payloads always go through --output files
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** SHA-256 of a file according to the sha256sum tool. */
    static String sha256sum(Path file) throws IOException, InterruptedException {
        return run("sha256sum", "-b", file.toString()).ok().stdout().split("\\s+")[0];
    }
}
