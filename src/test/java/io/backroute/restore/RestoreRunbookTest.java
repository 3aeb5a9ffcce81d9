package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.store.LocalDestination;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves docs/restore.md: its marked shell blocks, run literally against a real demo run, restore the data with standard tools only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreRunbookTest {

    private static final Pattern BLOCK = Pattern.compile("```bash\\n# test: ([a-z0-9-]+)\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    Workspace ws;
    Map<String, String> blocks;

    @BeforeAll
    void demoRunAndDoc() throws Exception {
        ws = new Workspace(shared.resolve("ws"));
        RestoreFixtures.demoRun(ws);
        blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(Files.readString(Path.of("docs/restore.md")));
        while (m.find()) {
            blocks.put(m.group(1), m.group(2));
        }
    }

    private Tools.Result runBlock(String name, Path backups) throws Exception {
        assertThat(blocks).containsKey(name);
        Path work = Files.createDirectories(tmp.resolve("work-" + name));
        // gpg-agent's socket path must stay short (108 bytes): the documented `mktemp -d` goes under /tmp, not target/
        Path gpgTemp = Files.createTempDirectory(Path.of("/tmp"), "br-runbook-");
        try {
            return Tools.exec(Map.of("BACKUPS", backups.toString(), "KEY", ws.keys.resolve("demo-secret.asc").toString(),
                    "TMPDIR", gpgTemp.toString()), work, "bash", "-o", "pipefail", "-ec", blocks.get(name));
        } finally {
            // the documented `mktemp -d` GNUPGHOME starts a gpg-agent: stop it with the test
            try (var homes = Files.list(gpgTemp)) {
                for (Path home : (Iterable<Path>) homes::iterator) {
                    Tools.exec(Map.of(), null, "gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent");
                }
            }
            Tools.exec(Map.of(), null, "rm", "-rf", gpgTemp.toString());
        }
    }

    private ArtifactInfo artifact(String kind) {
        return ArtifactCatalog.list(new LocalDestination("local", ws.backups, null), "demo").artifacts().stream()
                .filter(a -> a.manifest().artifactKind().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void theDocumentMarksTheLocalBlocksItPromises() {
        assertThat(blocks).containsKeys("local-check", "local-sqlite", "local-directory");
    }

    @Test
    void checkBlockAcceptsTheArtifactAndRejectsAFlippedByte() throws Exception {
        Tools.Result ok = runBlock("local-check", ws.backups);
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains(": OK");

        Path copy = RestoreFixtures.copyTree(ws.backups, tmp.resolve("damaged"));
        try (RandomAccessFile f = new RandomAccessFile(copy.resolve(artifact("sqlite").key()).toFile(), "rw")) {
            f.seek(50);
            int b = f.read();
            f.seek(50);
            f.write(b ^ 1);
        }
        assertThat(runBlock("local-check", copy).exit()).isNotZero();
    }

    @Test
    void sqliteBlockRestoresTheDatabaseByteForByte() throws Exception {
        Tools.Result r = runBlock("local-sqlite", ws.backups);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("ok");
        Path restored = tmp.resolve("work-local-sqlite/restored.sqlite");
        assertThat(RestoreFixtures.sha256(restored)).isEqualTo(artifact("sqlite").manifest().plainSha256());
    }

    @Test
    void directoryBlockRestoresTheTreeAsDiffSeesIt() throws Exception {
        Tools.Result r = runBlock("local-directory", ws.backups);
        assertThat(r.exit()).as(r.err()).isZero();
        Path restored = tmp.resolve("work-local-directory/restored");
        assertThat(Tools.run(Map.of(), null, "diff", "-r", "--no-dereference", ws.props.get("jobs.demo.directory"),
                restored.toString())).isEmpty();
    }
}
