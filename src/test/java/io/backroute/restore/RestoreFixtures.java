package io.backroute.restore;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.codec.Codecs;
import io.backroute.codec.OpenPgpEncryption;
import io.backroute.dump.DumpUnit;
import io.backroute.pipeline.BackupPlan;
import io.backroute.pipeline.RunContext;
import io.backroute.pipeline.StagedArtifact;
import io.backroute.pipeline.Staging;
import io.backroute.store.LocalDestination;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Real artifacts for restore tests: a demo run, artifacts staged through the real codecs, gpg-made keys. */
final class RestoreFixtures {

    private RestoreFixtures() { }

    /** Runs the demo job once in a workspace and returns its SUCCESS record. */
    static RunRecord demoRun(Workspace ws) {
        try (BackrouteService s = ws.service()) {
            s.start();
            RunRecord r = s.runtime().runNow("demo", "test");
            if (r.status() != RunStatus.SUCCESS) {
                throw new AssertionError("demo run failed: " + r.error());
            }
            return r;
        }
    }

    /** Writes a plain dump from a callback: a real DumpUnit, as sources produce them. */
    record StreamUnit(String label, String artifactKind, String sourceKind, Writer writer) implements DumpUnit {
        interface Writer {
            void write(OutputStream out) throws IOException;
        }

        @Override public void writeTo(OutputStream out) throws IOException { writer.write(out); }
        @Override public Map<String, Object> details() { return new LinkedHashMap<>(); }
    }

    /** Stages a unit through zstd + OpenPGP with the pipeline's Staging and puts artifact then manifest at dest. */
    static StagedArtifact stage(LocalDestination dest, Path stagingRoot, String job, Instant start, DumpUnit unit,
                                Path publicKey) {
        String runId = job + "-" + io.backroute.catalog.ArtifactNames.artifactKey(job, start, null, "x", List.of())
                .replaceAll(".*-(\\d{8}T\\d{6}Z).*", "$1") + "-beef";
        Path dir = Staging.createRunDir(stagingRoot, runId);
        try {
            RunContext rc = new RunContext(job, runId, "test", start, dir);
            BackupPlan plan = new BackupPlan();
            plan.addUnits(List.of(unit));
            plan.addTransform(Codecs.zstd(3, 0));
            plan.addTransform(OpenPgpEncryption.forKeyFiles(List.of(publicKey)));
            new Staging("test").stage(rc, plan);
            StagedArtifact s = rc.staged().get(0);
            dest.put(s.file(), s.key());
            dest.put(s.manifestFile(), s.manifestKey());
            return s;
        } finally {
            Staging.clean(dir);
        }
    }

    /** An OpenPGP key pair made by gpg (Ed25519 + Curve25519), its secret export protected by {@code passphrase}. */
    record GpgKey(Path publicKey, Path secretKey, String passphrase) { }

    static GpgKey gpgKey(Path home, String uid, String passphrase) throws Exception {
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        // the agent's calibrated S2K count would make each unlock of the exported key cost about a second in Java
        Files.writeString(home.resolve("gpg-agent.conf"), "s2k-count 65536\n");
        Map<String, String> env = Map.of("GNUPGHOME", home.toString());
        List<String> gpg = List.of("gpg", "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", passphrase);
        Tools.run(env, null, concat(gpg, "--quick-gen-key", uid, "future-default", "default", "never"));
        Path pub = home.resolve("public.asc");
        Path sec = home.resolve("secret.asc");
        Tools.run(env, null, concat(gpg, "--armor", "--output", pub.toString(), "--export", uid));
        Tools.run(env, null, concat(gpg, "--armor", "--output", sec.toString(), "--export-secret-keys", uid));
        Tools.run(Map.of(), null, "gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent");
        return new GpgKey(pub, sec, passphrase);
    }

    private static String[] concat(List<String> a, String... b) {
        return Stream.concat(a.stream(), Stream.of(b)).toArray(String[]::new);
    }

    /** A copy of a destination directory, for tests that damage artifacts. */
    static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    static String sha256(Path f) throws Exception {
        return Tools.run(Map.of(), null, "sha256sum", f.toString()).split(" ")[0];
    }
}
