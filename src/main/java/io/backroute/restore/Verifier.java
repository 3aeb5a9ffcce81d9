package io.backroute.restore;

import io.backroute.BackupException;
import io.backroute.catalog.Manifest;
import io.backroute.codec.HashingInputStream;
import io.backroute.dump.ProcessRunner;
import io.backroute.store.Destination;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves an artifact is restorable: stored size and SHA-256 against its manifest without a key; with the private
 * key also the MDC, the plain size and SHA-256, and the dump format checked by its standard tool.
 */
public final class Verifier {

    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    private static final int BUFFER = 1 << 16;
    private static final int TRAILER_WINDOW = 4096;

    private Verifier() { }

    /**
     * @param checks what was checked, one line each, e.g. "stored SHA-256 matches the manifest"
     */
    public record Report(String destination, String artifact, String runId, boolean withKey, long storedSize,
                         long plainSize, List<String> checks, long durationMs) { }

    /** Streams the artifact as stored and compares size and SHA-256 with the manifest; needs no key. */
    public static Report verifyStored(Destination d, ArtifactInfo a) {
        long t0 = System.nanoTime();
        PlainStream.checkManifest(a);
        Manifest m = a.manifest();
        HashingInputStream in;
        try (HashingInputStream h = new HashingInputStream(d.open(a.key()))) {
            in = h;
            h.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            throw PlainStream.fail(a, "cannot read it: " + e.getMessage(), e);
        }
        if (in.count() != m.storedSize()) {
            throw PlainStream.fail(a, "size " + in.count() + " bytes differs from the manifest's " + m.storedSize()
                    + ": the artifact is " + (in.count() < m.storedSize() ? "truncated" : "longer than written"), null);
        }
        if (!in.sha256Hex().equals(m.storedSha256())) {
            throw PlainStream.fail(a, "SHA-256 " + in.sha256Hex() + " differs from the manifest's " + m.storedSha256()
                    + ": the artifact is corrupt", null);
        }
        Report r = new Report(d.name(), a.key(), m.runId(), false, in.count(), m.plainSize(),
                List.of("stored size matches the manifest (" + in.count() + " bytes)", "stored SHA-256 matches the manifest"),
                (System.nanoTime() - t0) / 1_000_000);
        LOG.info("verified {} (stored bytes) in {} ms", a.describe(), r.durationMs());
        return r;
    }

    /**
     * Decrypts and decompresses to a format check: {@code pg_restore --list} for pgdump, the dump trailer for sql,
     * {@code PRAGMA integrity_check} on a temp copy (mode 0600, deleted) for sqlite, {@code tar -t} for tar.
     *
     * @param tempDir where a SQLite copy may be written for its integrity check
     */
    public static Report verifyWithKey(Destination d, ArtifactInfo a, DecryptionKey key, Path tempDir) {
        long t0 = System.nanoTime();
        Manifest m = a.manifest();
        List<String> checks = new ArrayList<>();
        long plainBytes;
        try (PlainStream ps = PlainStream.open(d, a, key)) {
            String kind = m.artifactKind();
            switch (kind) {
                case "pgdump" -> {
                    toolCheck(ps, a, List.of("pg_restore", "--list"), "pg_restore --list");
                    checks.add("pg_restore --list reads the PostgreSQL custom-format archive");
                }
                case "tar" -> {
                    toolCheck(ps, a, List.of("tar", "-t", "-f", "-"), "tar -t");
                    checks.add("tar -t lists the archive");
                }
                case "sqlite" -> {
                    sqliteCheck(ps, a, tempDir);
                    checks.add("sqlite3 PRAGMA integrity_check is ok");
                }
                case "sql" -> {
                    String trailer = trailerCheck(ps, a);
                    checks.add("dump ends with '" + trailer + "'");
                }
                default -> {
                    ps.copyTo(OutputStream.nullOutputStream());
                    checks.add("no format check for artifact kind " + kind);
                }
            }
            plainBytes = ps.plainBytes();
        } catch (IOException e) {
            throw PlainStream.fail(a, e.getMessage(), e);
        }
        checks.add(0, "stored size and SHA-256 match the manifest");
        checks.add(1, "OpenPGP integrity (MDC) verified; plain size and SHA-256 match the manifest");
        Report r = new Report(d.name(), a.key(), m.runId(), true, m.storedSize(), plainBytes, List.copyOf(checks),
                (System.nanoTime() - t0) / 1_000_000);
        LOG.info("verified {} (decrypted, {}) in {} ms", a.describe(), m.artifactKind(), r.durationMs());
        return r;
    }

    /** Feeds the plain stream to a tool that must exit 0; keeps reading to the end if the tool stops early. */
    private static void toolCheck(PlainStream ps, ArtifactInfo a, List<String> command, String what) throws IOException {
        ProcessRunner.of(command).name(what + " of " + a.describe()).stage("verify")
                .stdin(stdin -> feedAll(ps, stdin))
                .streamTo(OutputStream.nullOutputStream());
    }

    /** Writes every plain byte it can to {@code out}, reads on to EOF if the reader hung up, then finishes. */
    static void feedAll(PlainStream ps, OutputStream out) throws IOException {
        InputStream in = ps.stream();
        byte[] buf = new byte[BUFFER];
        boolean open = true;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (open) {
                try {
                    out.write(buf, 0, n);
                } catch (IOException hungUp) {
                    // tar and pg_restore --list may stop at their end marker; the hashes still need every byte
                    open = false;
                }
            }
        }
        ps.finish();
    }

    private static void sqliteCheck(PlainStream ps, ArtifactInfo a, Path tempDir) throws IOException {
        Files.createDirectories(tempDir);
        Path copy = Files.createTempFile(tempDir, "verify-", ".sqlite",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream out = Files.newOutputStream(copy, StandardOpenOption.TRUNCATE_EXISTING)) {
                ps.copyTo(out);
            }
            String result = ProcessRunner.of("sqlite3", "-readonly", copy.toString(), "PRAGMA integrity_check")
                    .name("sqlite3 integrity check of " + a.describe()).stage("verify").run().strip();
            if (!"ok".equals(result)) {
                throw PlainStream.fail(a, "sqlite3 PRAGMA integrity_check failed: " + abbreviate(result), null);
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** Keeps only the last few KiB to find the dump tool's completion trailer. */
    private static String trailerCheck(PlainStream ps, ArtifactInfo a) throws IOException {
        byte[] window = new byte[TRAILER_WINDOW];
        int filled = 0;
        InputStream in = ps.stream();
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (n >= window.length) {
                System.arraycopy(buf, n - window.length, window, 0, window.length);
                filled = window.length;
            } else {
                int keep = Math.min(filled, window.length - n);
                System.arraycopy(window, filled - keep, window, 0, keep);
                System.arraycopy(buf, 0, window, keep, n);
                filled = keep + n;
            }
        }
        ps.finish();
        String tail = new String(window, 0, filled, StandardCharsets.UTF_8);
        String source = a.manifest().sourceKind();
        boolean postgres = "postgresql".equals(source);
        String trailer = postgres ? "-- PostgreSQL database dump complete" : "-- Dump completed";
        // pg_dumpall (globals) ends with the cluster variant of the PostgreSQL trailer
        String found = postgres && tail.contains("-- PostgreSQL database cluster dump complete")
                ? "-- PostgreSQL database cluster dump complete" : trailer;
        if (!tail.contains(found)) {
            throw PlainStream.fail(a, "the plain dump does not end with '" + trailer
                    + "': the dump was cut short when it was made", null);
        }
        return found;
    }

    private static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
