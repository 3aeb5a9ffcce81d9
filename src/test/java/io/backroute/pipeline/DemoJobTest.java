package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the demo job end to end: SQLite + directory → zstd → OpenPGP → local disk, restored with gpg, zstd, sqlite3 and tar alone. */
class DemoJobTest {

    @TempDir
    Path tmp;

    @Test
    void demoRunIsRestorableWithStandardToolsAndManifestsMatchTheArtifacts() throws Exception {
        Workspace ws = new Workspace(tmp);
        RunRecord run;
        try (BackrouteService service = ws.service()) {
            service.start();
            run = service.runtime().runNow("demo", "test");
        }
        assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
        assertThat(run.destinations()).extracting(DestinationResult::destination, DestinationResult::ok)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("local", true));
        List<String> keys = run.destinations().get(0).artifacts();
        assertThat(keys).hasSize(2).allMatch(k -> k.startsWith("demo/demo-") && k.endsWith(".zst.gpg"));

        Path sqliteArtifact = ws.backups.resolve(keys.stream().filter(k -> k.endsWith(".sqlite.zst.gpg")).findFirst().orElseThrow());
        Path tarArtifact = ws.backups.resolve(keys.stream().filter(k -> k.endsWith(".tar.zst.gpg")).findFirst().orElseThrow());

        // manifests sit beside the artifacts and describe them exactly
        for (Path artifact : List.of(sqliteArtifact, tarArtifact)) {
            Path mf = artifact.resolveSibling(artifact.getFileName() + Manifest.SUFFIX);
            assertThat(mf).exists();
            Manifest m;
            try (InputStream in = Files.newInputStream(mf)) {
                m = ManifestJson.read(in, mf.toString());
            }
            assertThat(m.runId()).isEqualTo(run.runId());
            assertThat(m.storedSize()).isEqualTo(Files.size(artifact));
            assertThat(m.storedSha256()).isEqualTo(Tools.run(Map.of(), null, "sha256sum", artifact.toString()).split(" ")[0]);
            assertThat(m.encryption()).containsKey("recipients");
            assertThat(Files.readString(mf)).doesNotContainIgnoringCase("password").doesNotContain("PRIVATE KEY");
        }

        // restore with the standard tools only, as the README says
        Map<String, String> gpg = Tools.gpgHomeWith(tmp.resolve("gnupg"), ws.keys.resolve("demo-secret.asc"));
        Path restoredDb = tmp.resolve("restored.sqlite");
        Tools.bash(gpg, tmp, "gpg --batch --decrypt " + sqliteArtifact + " | zstd -d > " + restoredDb);
        assertThat(Tools.run(Map.of(), null, "sqlite3", restoredDb.toString(), "PRAGMA integrity_check").trim()).isEqualTo("ok");
        String query = "select count(*) from customers; select count(*) from orders;";
        assertThat(Tools.run(Map.of(), null, "sqlite3", restoredDb.toString(), query))
                .isEqualTo(Tools.run(Map.of(), null, "sqlite3", ws.props.get("jobs.demo.sqlite"), query));
        Manifest dbManifest;
        try (InputStream in = Files.newInputStream(sqliteArtifact.resolveSibling(sqliteArtifact.getFileName() + Manifest.SUFFIX))) {
            dbManifest = ManifestJson.read(in, "db manifest");
        }
        assertThat(dbManifest.plainSha256()).isEqualTo(Tools.run(Map.of(), null, "sha256sum", restoredDb.toString()).split(" ")[0]);

        Path restoredDir = Files.createDirectories(tmp.resolve("restored-files"));
        Tools.bash(gpg, tmp, "gpg --batch --decrypt " + tarArtifact + " | zstd -d | tar -x -C " + restoredDir);
        Path source = Path.of(ws.props.get("jobs.demo.directory"));
        assertThat(tree(restoredDir)).isEqualTo(tree(source));
        assertThat(Tools.run(Map.of(), null, "diff", "-r", "--no-dereference", source.toString(), restoredDir.toString())).isEmpty();

        // nothing but ciphertext was ever staged, and staging is clean afterwards
        try (Stream<Path> s = Files.walk(ws.stagingDir())) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty();
        }
    }

    private static List<String> tree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
