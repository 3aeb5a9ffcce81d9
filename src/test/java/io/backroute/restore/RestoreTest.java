package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackupException;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.RunRecord;
import io.backroute.pipeline.StagedArtifact;
import io.backroute.store.LocalDestination;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves list, verify and restore on real demo artifacts, and that every kind of bad input fails loudly, naming the artifact, with nothing overwritten. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreTest {

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    Workspace ws;
    RunRecord run;
    LocalDestination local;
    DecryptionKey demoKey;

    @BeforeAll
    void runTheDemoJobOnce() throws Exception {
        ws = new Workspace(shared.resolve("ws"));
        run = RestoreFixtures.demoRun(ws);
        local = new LocalDestination("local", ws.backups, null);
        demoKey = new DecryptionKey(ws.keys.resolve("demo-secret.asc"), new char[0]);
    }

    private ArtifactInfo artifact(LocalDestination d, String kind) {
        return ArtifactCatalog.list(d, "demo").artifacts().stream()
                .filter(a -> a.manifest().artifactKind().equals(kind)).findFirst().orElseThrow();
    }

    private LocalDestination damagedCopy(String name) throws Exception {
        return new LocalDestination("copy", RestoreFixtures.copyTree(ws.backups, tmp.resolve(name)), null);
    }

    @Test
    void listsTheArtifactsOfTheRunFromTheirManifests() {
        ArtifactCatalog.Listing l = ArtifactCatalog.list(local, "demo");
        assertThat(l.problems()).isEmpty();
        assertThat(l.artifacts()).extracting(ArtifactInfo::key).containsExactlyInAnyOrderElementsOf(run.destinations().get(0).artifacts());
        assertThat(l.artifacts()).allSatisfy(a -> {
            assertThat(a.present()).isTrue();
            assertThat(a.manifest().runId()).isEqualTo(run.runId());
        });
        assertThat(ArtifactCatalog.list(local, "other-job").artifacts()).isEmpty();
    }

    @Test
    void selectsByFileNameLatestAndTime() {
        ArtifactCatalog.Listing l = ArtifactCatalog.list(local, "demo");
        ArtifactInfo tar = artifact(local, "tar");
        assertThat(ArtifactCatalog.select(l, "demo", tar.fileName(), null)).isEqualTo(tar);
        assertThat(ArtifactCatalog.select(l, "demo", null, null)).isEqualTo(l.latest().orElseThrow());
        assertThat(ArtifactCatalog.select(l, "demo", null, Instant.now()).manifest().runId()).isEqualTo(run.runId());
        assertThatThrownBy(() -> ArtifactCatalog.select(l, "demo", null, Instant.parse("2000-01-01T00:00:00Z")))
                .hasMessageContaining("no artifact at or before 2000-01-01T00:00:00Z");
        assertThatThrownBy(() -> ArtifactCatalog.select(l, "demo", "demo-20000101T000000Z.tar.zst.gpg", null))
                .hasMessageContaining("artifact demo-20000101T000000Z.tar.zst.gpg of job demo is not at destination local");
    }

    @Test
    void verifyWithoutKeyChecksStoredSizeAndSha256() {
        for (String kind : List.of("sqlite", "tar")) {
            Verifier.Report r = Verifier.verifyStored(local, artifact(local, kind));
            assertThat(r.withKey()).isFalse();
            assertThat(r.checks()).contains("stored SHA-256 matches the manifest");
        }
    }

    @Test
    void verifyWithKeyDecryptsAndChecksTheDumpFormat() {
        Verifier.Report db = Verifier.verifyWithKey(local, artifact(local, "sqlite"), demoKey, tmp.resolve("t"));
        assertThat(db.checks()).contains("sqlite3 PRAGMA integrity_check is ok");
        assertThat(db.plainSize()).isEqualTo(artifact(local, "sqlite").manifest().plainSize());
        Verifier.Report tar = Verifier.verifyWithKey(local, artifact(local, "tar"), demoKey, tmp.resolve("t"));
        assertThat(tar.checks()).contains("tar -t lists the archive");
        try (Stream<Path> s = Files.list(tmp.resolve("t"))) {
            assertThat(s).as("the temp SQLite copy is deleted").isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void restoresTheSqliteDatabaseAsSqlite3SeesTheSource() throws Exception {
        Path target = tmp.resolve("out/restored.sqlite");
        Restorer.Result r = Restorer.restore(local, artifact(local, "sqlite"), demoKey, target.toString(),
                new Restorer.Options(false, false, null));
        assertThat(r.targetKind()).isEqualTo("sqlite");
        String q = "select count(*) from customers; select count(*) from orders;";
        assertThat(Tools.run(Map.of(), null, "sqlite3", target.toString(), q))
                .isEqualTo(Tools.run(Map.of(), null, "sqlite3", ws.props.get("jobs.demo.sqlite"), q));
        assertThat(RestoreFixtures.sha256(target)).isEqualTo(artifact(local, "sqlite").manifest().plainSha256());
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("restored.sqlite");
        }
    }

    @Test
    void refusesAnExistingFileUnlessForcedAndLeavesItUntouched() throws Exception {
        Path target = Files.writeString(tmp.resolve("precious.sqlite"), "keep me");
        assertThatThrownBy(() -> Restorer.restore(local, artifact(local, "sqlite"), demoKey, target.toString(),
                new Restorer.Options(false, false, null)))
                .isInstanceOf(Restorer.TargetRefusedException.class)
                .hasMessageContaining(target.toString()).hasMessageContaining("exists").hasMessageContaining("--force")
                .hasMessageContaining(artifact(local, "sqlite").key());
        assertThat(Files.readString(target)).isEqualTo("keep me");

        Restorer.restore(local, artifact(local, "sqlite"), demoKey, target.toString(), new Restorer.Options(true, false, null));
        assertThat(Tools.run(Map.of(), null, "sqlite3", target.toString(), "PRAGMA integrity_check").trim()).isEqualTo("ok");
    }

    @Test
    void restoresTheDirectoryIdenticalToTheSourceAndRefusesANonEmptyOne() throws Exception {
        Path target = tmp.resolve("files");
        Restorer.restore(local, artifact(local, "tar"), demoKey, target.toString(), new Restorer.Options(false, false, null));
        Path source = Path.of(ws.props.get("jobs.demo.directory"));
        assertThat(Tools.run(Map.of(), null, "diff", "-r", "--no-dereference", source.toString(), target.toString())).isEmpty();

        assertThatThrownBy(() -> Restorer.restore(local, artifact(local, "tar"), demoKey, target.toString(),
                new Restorer.Options(false, false, null)))
                .isInstanceOf(Restorer.TargetRefusedException.class).hasMessageContaining("is not empty");

        Files.writeString(target.resolve("stray.txt"), "old");
        Restorer.restore(local, artifact(local, "tar"), demoKey, target.toString(), new Restorer.Options(true, false, null));
        assertThat(Tools.run(Map.of(), null, "diff", "-r", "--no-dereference", source.toString(), target.toString())).isEmpty();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".restore-"));
        }
    }

    @Test
    void restoresThePlainDumpByteIdenticalToTheGpgAndZstdPipeline() throws Exception {
        ArtifactInfo tar = artifact(local, "tar");
        Path target = tmp.resolve("plain.tar");
        Restorer.restore(local, tar, demoKey, target.toString(), new Restorer.Options(false, false, null));
        Map<String, String> gpg = Tools.gpgHomeWith(tmp.resolve("gnupg"), demoKey.file());
        String oracle = Tools.bash(gpg, tmp, "gpg --batch --decrypt " + ws.backups.resolve(tar.key()) + " | zstd -d | sha256sum");
        assertThat(oracle.split(" ")[0]).isEqualTo(RestoreFixtures.sha256(target));
    }

    @Test
    void wrongKeyNamesTheArtifactAndTheKeyIds() throws Exception {
        RestoreFixtures.GpgKey other = RestoreFixtures.gpgKey(tmp.resolve("other"), "Other <o@x>", "");
        DecryptionKey wrong = new DecryptionKey(other.secretKey(), new char[0]);
        Path target = tmp.resolve("never.sqlite");
        assertThatThrownBy(() -> Restorer.restore(local, artifact(local, "sqlite"), wrong, target.toString(),
                new Restorer.Options(false, false, null)))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining(artifact(local, "sqlite").key())
                .hasMessageContaining("is encrypted to key IDs").hasMessageContaining("is not one of them");
        assertThat(target).doesNotExist();
    }

    @Test
    void wrongPassphraseFailsWithoutEchoingItAndTheRightOneRestores() throws Exception {
        RestoreFixtures.GpgKey key = RestoreFixtures.gpgKey(tmp.resolve("pp"), "Pass <p@x>", "correct horse");
        LocalDestination dest = new LocalDestination("pp", tmp.resolve("pp-dest"), null);
        StagedArtifact s = RestoreFixtures.stage(dest, tmp.resolve("staging"), "pp-job", Instant.parse("2026-01-02T03:04:05Z"),
                new RestoreFixtures.StreamUnit(null, "txt", "test", out -> out.write("hello\n".getBytes(StandardCharsets.UTF_8))),
                key.publicKey());
        ArtifactInfo a = ArtifactCatalog.list(dest, "pp-job").latest().orElseThrow();
        assertThat(a.key()).isEqualTo(s.key());
        Path target = tmp.resolve("hello.txt");
        assertThatThrownBy(() -> Restorer.restore(dest, a, new DecryptionKey(key.secretKey(), "wrong battery".toCharArray()),
                target.toString(), new Restorer.Options(false, false, null)))
                .hasMessageContaining(a.key()).hasMessageContaining("wrong passphrase")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong battery").doesNotContain("correct horse"));
        assertThat(target).doesNotExist();

        Restorer.restore(dest, a, new DecryptionKey(key.secretKey(), "correct horse".toCharArray()), target.toString(),
                new Restorer.Options(false, false, null));
        assertThat(Files.readString(target)).isEqualTo("hello\n");
    }

    @Test
    void truncatedArtifactFailsVerifyAndRestoreAndLeavesNoFile() throws Exception {
        LocalDestination d = damagedCopy("truncated");
        ArtifactInfo a = artifact(d, "sqlite");
        Path file = d.root().resolve(a.key());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertThatThrownBy(() -> Verifier.verifyStored(d, a)).hasMessageContaining(a.key()).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Verifier.verifyWithKey(d, a, demoKey, tmp.resolve("t"))).hasMessageContaining(a.key());
        Path target = tmp.resolve("t.sqlite");
        assertThatThrownBy(() -> Restorer.restore(d, a, demoKey, target.toString(), new Restorer.Options(false, false, null)))
                .hasMessageContaining(a.key()).hasMessageContaining("truncated");
        assertThat(target).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".restore-"));
        }
    }

    @Test
    void oneFlippedByteFailsAndAnExistingTargetSurvivesAForcedRestore() throws Exception {
        LocalDestination d = damagedCopy("flipped");
        ArtifactInfo a = artifact(d, "tar");
        Path file = d.root().resolve(a.key());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long pos = f.length() / 2;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x01);
        }
        assertThatThrownBy(() -> Verifier.verifyStored(d, a)).hasMessageContaining(a.key()).hasMessageContaining("corrupt");
        Path target = Files.createDirectories(tmp.resolve("existing"));
        Files.writeString(target.resolve("keep.txt"), "old");
        assertThatThrownBy(() -> Restorer.restore(d, a, demoKey, target.toString(), new Restorer.Options(true, false, null)))
                .hasMessageContaining(a.key());
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("old");
    }

    @Test
    void aManifestOfAnotherArtifactIsRejected() throws Exception {
        LocalDestination d = damagedCopy("swapped");
        ArtifactInfo tar = artifact(d, "tar");
        ArtifactInfo db = artifact(d, "sqlite");
        Files.copy(d.root().resolve(db.key() + Manifest.SUFFIX), d.root().resolve(tar.key() + Manifest.SUFFIX),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ArtifactInfo swapped = ArtifactCatalog.list(d, "demo").artifacts().stream().filter(a -> a.key().equals(tar.key()))
                .findFirst().orElseThrow();
        assertThatThrownBy(() -> Verifier.verifyStored(d, swapped))
                .hasMessageContaining(tar.key()).hasMessageContaining("belongs to another artifact");
        assertThatThrownBy(() -> Restorer.restore(d, swapped, demoKey, tmp.resolve("x").toString(), new Restorer.Options(false, false, null)))
                .hasMessageContaining("belongs to another artifact");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void aMissingArtifactIsListedAsMissingAndCannotBeVerified() throws Exception {
        LocalDestination d = damagedCopy("missing");
        ArtifactInfo db = artifact(d, "sqlite");
        Files.delete(d.root().resolve(db.key()));
        ArtifactInfo missing = artifact(d, "sqlite");
        assertThat(missing.present()).isFalse();
        assertThatThrownBy(() -> Verifier.verifyStored(d, missing)).hasMessageContaining(db.key()).hasMessageContaining("is missing");
        assertThatThrownBy(() -> Restorer.restore(d, missing, demoKey, tmp.resolve("m.sqlite").toString(),
                new Restorer.Options(false, false, null))).hasMessageContaining("is missing");
    }

    @Test
    void tarEntriesEscapingTheTargetAreRejectedAndNothingIsWrittenOutside() throws Exception {
        RestoreFixtures.GpgKey key = RestoreFixtures.gpgKey(tmp.resolve("tarkey"), "Tar <t@x>", "");
        LocalDestination dest = new LocalDestination("evil", tmp.resolve("evil-dest"), null);
        record Evil(String job, String name, String link, byte type) { }
        List<Evil> cases = List.of(
                new Evil("dotdot", "../escaped.txt", null, TarConstants.LF_NORMAL),
                new Evil("absolute", "/tmp/escaped.txt", null, TarConstants.LF_NORMAL),
                new Evil("symlink", "link", "../../outside", TarConstants.LF_SYMLINK),
                new Evil("abs-symlink", "link", "/etc", TarConstants.LF_SYMLINK));
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        for (Evil e : cases) {
            RestoreFixtures.stage(dest, tmp.resolve("staging"), e.job(), t, new RestoreFixtures.StreamUnit(null, "tar", "directory", out -> {
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.FilterOutputStream(out) {
                    @Override public void close() throws java.io.IOException { flush(); }
                });
                TarArchiveEntry ok = new TarArchiveEntry("fine.txt");
                ok.setSize(2);
                tar.putArchiveEntry(ok);
                tar.write("ok".getBytes(StandardCharsets.UTF_8));
                tar.closeArchiveEntry();
                TarArchiveEntry bad = new TarArchiveEntry(e.name(), e.type(), true);
                if (e.link() != null) {
                    bad.setLinkName(e.link());
                } else {
                    bad.setSize(4);
                }
                tar.putArchiveEntry(bad);
                if (e.link() == null) {
                    tar.write("evil".getBytes(StandardCharsets.UTF_8));
                }
                tar.closeArchiveEntry();
                tar.finish();
                tar.close();
            }), key.publicKey());
            ArtifactInfo a = ArtifactCatalog.list(dest, e.job()).latest().orElseThrow();
            Path target = tmp.resolve("extract-" + e.job() + "/inner");
            assertThatThrownBy(() -> Restorer.restore(dest, a, new DecryptionKey(key.secretKey(), new char[0]),
                    target.toString(), new Restorer.Options(false, false, null)))
                    .as(e.job())
                    .hasMessageContaining(a.key()).hasMessageContaining("unsafe tar entry '" + e.name() + "'");
            assertThat(target).doesNotExist();
            try (Stream<Path> s = Files.list(target.getParent())) {
                assertThat(s).as("nothing left beside the target for %s", e.job()).isEmpty();
            }
        }
        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
        assertThat(Path.of("/tmp/escaped.txt")).doesNotExist();
    }
}
