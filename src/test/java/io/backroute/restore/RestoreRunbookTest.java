package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.store.LocalDestination;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves docs/restore.md: every bash block is run by a runbook test or listed with its reason, and the local blocks, run literally against a real demo run, restore the data with standard tools only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreRunbookTest {

    /** The blocks this class runs. */
    static final List<String> BLOCKS = List.of("list-local", "check", "sqlite", "directory");

    /** Commands of the runbook that must only ever appear in a bash block, where a test runs them. */
    private static final List<String> TOOLS = List.of("gpg", "zstd", "sha256sum", "sqlite3", "tar", "pg_restore", "createdb",
            "psql", "mariadb", "aws", "smbclient", "sftp", "curl", "openssl");

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** Tests of this class that ran (passed or failed), for the check that every claimed block ran. */
    int testsRun;

    @AfterEach
    void countTest() {
        testsRun++;
    }

    Workspace ws;

    @BeforeAll
    void demoRun() throws Exception {
        ws = new Workspace(shared.resolve("ws"));
        RestoreFixtures.demoRun(ws);
    }

    @AfterAll
    void everyBlockOfThisClassRan() {
        RunbookBlocks.assertClaimedBlocksRan(getClass(), testsRun, BLOCKS);
    }

    private ArtifactInfo artifact(String kind) {
        return ArtifactCatalog.list(new LocalDestination("local", ws.backups, null), "demo").artifacts().stream()
                .filter(a -> a.manifest().artifactKind().equals(kind)).findFirst().orElseThrow();
    }

    /** The documented variables for a demo artifact. */
    private Map<String, String> vars(Path backups, String kind) {
        Map<String, String> v = new HashMap<>();
        v.put("JOB", "demo");
        v.put("BACKUPS", backups.toString());
        v.put("NAME", artifact(kind).fileName());
        v.put("KEY", ws.keys.resolve("demo-secret.asc").toString());
        return v;
    }

    @Test
    void everyShellBlockIsRunByARunbookTestOrListedWithItsReason() {
        List<RunbookBlocks.Block> all = RunbookBlocks.all();
        assertThat(all).filteredOn(b -> b.language().equals("bash"))
                .as("every bash block carries a '# test: NAME' line").allSatisfy(b -> assertThat(b.name()).isNotNull());
        Set<String> claimed = new TreeSet<>();
        List<String> runs = new ArrayList<>(BLOCKS);
        runs.addAll(RestoreRunbookDatabaseIT.BLOCKS);
        runs.addAll(RestoreRunbookRemoteIT.BLOCKS);
        assertThat(runs).doesNotHaveDuplicates().doesNotContainAnyElementsOf(RunbookBlocks.NOT_RUN.keySet());
        claimed.addAll(runs);
        claimed.addAll(RunbookBlocks.NOT_RUN.keySet());
        assertThat(claimed).as("blocks run or listed as not run").isEqualTo(new TreeSet<>(RunbookBlocks.shell().keySet()));
        assertThat(RunbookBlocks.NOT_RUN.values()).allSatisfy(reason -> assertThat(reason).hasSizeGreaterThan(40));

        // the other blocks are command synopses and configuration: no restore command may hide in them untested
        assertThat(all).filteredOn(b -> !b.language().equals("bash")).isNotEmpty().allSatisfy(b -> {
            assertThat(b.language()).isIn("text", "properties");
            for (String line : b.body().split("\n")) {
                String first = line.strip().split("\\s+")[0];
                assertThat(TOOLS).as("line '%s' of a %s block", line, b.language()).doesNotContain(first);
            }
        });
    }

    @Test
    void listBlockShowsTheManifestedArtifactsNewestLast() throws Exception {
        String out = RunbookBlocks.succeed("list-local", vars(ws.backups, "sqlite"), tmp);
        assertThat(Tools.lines(out)).containsExactlyInAnyOrder(artifact("sqlite").fileName(), artifact("tar").fileName());
    }

    @Test
    void checkBlockAcceptsTheArtifactAndRejectsAFlippedByte() throws Exception {
        String ok = RunbookBlocks.succeed("check", vars(ws.backups, "sqlite"), tmp);
        assertThat(ok).contains(artifact("sqlite").fileName() + ": OK");

        Path copy = RestoreFixtures.copyTree(ws.backups, tmp.resolve("damaged"));
        try (RandomAccessFile f = new RandomAccessFile(copy.resolve(artifact("sqlite").key()).toFile(), "rw")) {
            f.seek(50);
            int b = f.read();
            f.seek(50);
            f.write(b ^ 1);
        }
        Tools.Result bad = RunbookBlocks.run("check", vars(copy, "sqlite"), tmp);
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.out()).contains(": FAILED");
    }

    @Test
    void sqliteBlockRestoresTheDatabaseByteForByte() throws Exception {
        String out = RunbookBlocks.succeed("sqlite", vars(ws.backups, "sqlite"), tmp);
        assertThat(Tools.lines(out)).containsExactly("ok");
        assertThat(RestoreFixtures.sha256(tmp.resolve("restored.sqlite"))).isEqualTo(artifact("sqlite").manifest().plainSha256());
    }

    @Test
    void directoryBlockRestoresTheTreeAsDiffSeesIt() throws Exception {
        RunbookBlocks.succeed("directory", vars(ws.backups, "tar"), tmp);
        assertThat(Tools.run(Map.of(), null, "diff", "-r", "--no-dereference", ws.props.get("jobs.demo.directory"),
                tmp.resolve("restored").toString())).isEmpty();
    }
}
