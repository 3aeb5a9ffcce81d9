package io.backroute.pipeline;

import io.backroute.BackupException;
import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.codec.HashingOutputStream;
import io.backroute.codec.Transform;
import io.backroute.dump.DumpUnit;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams each dump unit of a plan through its codecs into one staging file per artifact, computing the
 * SHA-256 and size of the plain and of the stored bytes on the way. The data passes once; the only file
 * written is the ciphertext (mode 0600); a failure deletes what was staged.
 */
public final class Staging {

    private static final Logger LOG = LoggerFactory.getLogger(Staging.class);
    private static final int BUFFER = 1 << 20;

    private final String version;

    public Staging(String version) {
        this.version = version;
    }

    public static Path createRunDir(Path stagingRoot, String runId) {
        try {
            Files.createDirectories(stagingRoot);
            Path dir = stagingRoot.resolve(runId);
            Files.createDirectory(dir);
            trySetPerms(dir, "rwx------");
            return dir;
        } catch (IOException e) {
            throw new BackupException("stage", "cannot create staging directory under " + stagingRoot + ": " + e.getMessage(), e);
        }
    }

    public void stage(RunContext run, BackupPlan plan) {
        if (plan.units().isEmpty()) {
            throw new BackupException("stage", "the job produced no dump: add a dump: step before store:");
        }
        List<Transform> transforms = plan.transforms();
        if (transforms.isEmpty() || !"encryption".equals(transforms.get(transforms.size() - 1).role())) {
            throw new BackupException("stage", "refusing to store an unencrypted artifact: the last codec step must be codec:openpgp");
        }
        for (DumpUnit unit : plan.units()) {
            run.addStaged(stageUnit(run, unit, transforms, plan.extensions()));
        }
    }

    private StagedArtifact stageUnit(RunContext run, DumpUnit unit, List<Transform> transforms, List<String> exts) {
        String key = ArtifactNames.artifactKey(run.job(), run.start(), unit.label(), unit.artifactKind(), exts);
        String fileName = key.substring(key.lastIndexOf('/') + 1);
        Path file = run.stagingDir().resolve(fileName);
        long t0 = System.nanoTime();
        HashingOutputStream stored;
        HashingOutputStream plain;
        OutputStream raw = null;
        try {
            raw = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            trySetPerms(file, "rw-------");
            stored = new HashingOutputStream(raw);
            OutputStream chain = stored;
            for (int i = transforms.size() - 1; i >= 0; i--) {
                chain = transforms.get(i).wrap(chain);
                if (i > 0 && "encryption".equals(transforms.get(i).role())) {
                    // encryption and the stored hash run on their own thread, compression on this one
                    chain = new io.backroute.codec.AsyncOutputStream(chain, 1 << 20, 4, "backroute-encrypt-" + run.runId());
                }
            }
            plain = new HashingOutputStream(new Progress(new java.io.BufferedOutputStream(chain, BUFFER), run.runId(), fileName));
            try (OutputStream out = plain) {
                unit.writeTo(out);
            }
        } catch (BackupException e) {
            closeQuietly(raw);
            deleteQuietly(file);
            throw e;
        } catch (IOException | RuntimeException e) {
            // a codec that fails while closing may not close the file: close it here, or the descriptor leaks
            closeQuietly(raw);
            deleteQuietly(file);
            String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (what.contains("No space left") || what.contains("File too large")) {
                what = "staging disk full at " + run.stagingDir() + " (" + what + ")";
            }
            throw new BackupException(run.job(), run.runId(), "dump", unit.sourceKind() + " dump failed: " + what, true, e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Instant finished = Instant.now();
        Map<String, Object> compression = null;
        Map<String, Object> encryption = null;
        for (Transform t : transforms) {
            if ("compression".equals(t.role())) {
                compression = t.describe();
            } else if ("encryption".equals(t.role())) {
                encryption = t.describe();
            }
        }
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("backroute", version);
        tools.put("java", System.getProperty("java.version"));
        Object tool = unit.details().get("tool");
        Object toolVersion = unit.details().get("toolVersion");
        if (tool != null && toolVersion != null) {
            tools.put(tool.toString(), toolVersion.toString());
        }
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, run.job(), run.runId(), fileName,
                unit.sourceKind(), unit.artifactKind(), unit.label(), run.start(), finished,
                plain.count(), plain.sha256Hex(), stored.count(), stored.sha256Hex(),
                compression, encryption, new LinkedHashMap<>(unit.details()), tools,
                RestoreHints.restore(fileName, exts, unit.sourceKind(), unit.artifactKind()));
        Path manifestFile = run.stagingDir().resolve(fileName + Manifest.SUFFIX);
        try (OutputStream out = Files.newOutputStream(manifestFile, StandardOpenOption.CREATE_NEW)) {
            ManifestJson.write(manifest, out);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new BackupException(run.job(), run.runId(), "stage", "cannot write manifest: " + e.getMessage(), true, e);
        }
        LOG.info("run {} staged {}: plain {} -> stored {} in {} ({})", run.runId(), fileName,
                Units.bytes(plain.count()), Units.bytes(stored.count()), Units.duration(took),
                Units.throughput(plain.count(), took));
        return new StagedArtifact(key, file, manifestFile, manifest);
    }

    /** Logs progress of a long dump every {@link #PROGRESS_EVERY_NANOS}: bytes so far and throughput. */
    private static final class Progress extends java.io.FilterOutputStream {
        private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;
        private final String runId;
        private final String name;
        private final long start = System.nanoTime();
        private long next = start + PROGRESS_EVERY_NANOS;
        private long bytes;

        Progress(OutputStream out, String runId, String name) {
            super(out);
            this.runId = runId;
            this.name = name;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            tick(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            tick(len);
        }

        private void tick(int n) {
            bytes += n;
            long now = System.nanoTime();
            if (now >= next) {
                next = now + PROGRESS_EVERY_NANOS;
                LOG.info("run {} staging {}: {} read so far ({})", runId, name, Units.bytes(bytes),
                        Units.throughput(bytes, Duration.ofNanos(now - start)));
            }
        }
    }

    /** Free bytes of the file store holding dir (or its nearest existing parent). */
    public static long freeBytes(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            FileStore store = Files.getFileStore(p == null ? Path.of(".") : p);
            return store.getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Removes a run's staging directory and everything in it. */
    public static void clean(Path runDir) {
        if (runDir == null || !Files.exists(runDir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(runDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(Staging::deleteQuietly);
        } catch (IOException e) {
            LOG.warn("could not clean staging directory {}: {}", runDir, e.getMessage());
        }
    }

    private static void closeQuietly(OutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the file is deleted next; its content does not matter
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
    }

    private static void trySetPerms(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException | IOException ignored) {
            // non-POSIX filesystem: permissions are the platform default
        }
    }
}
