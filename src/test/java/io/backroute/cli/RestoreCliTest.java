package io.backroute.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves the list, verify, restore and catalog rebuild commands: output, --json, exit codes, and a killed restore leaving no final file. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreCliTest {

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    Workspace ws;
    Path config;
    RunRecord run;
    String out;
    String err;

    @BeforeAll
    void demoRun() throws Exception {
        ws = new Workspace(shared.resolve("ws"));
        config = ws.writeConfig();
        try (BackrouteService s = ws.service()) {
            s.start();
            run = s.runtime().runNow("demo", "test");
        }
        assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
    }

    int cli(String... args) {
        CliRun r = CliRun.of(config, args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    String key() {
        return ws.keys.resolve("demo-secret.asc").toString();
    }

    @Test
    void listShowsTheRunsArtifactsAsTextAndJson() throws Exception {
        assertThat(cli("list", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode rows = Json.MAPPER.readTree(out);
        assertThat(rows).hasSize(2).allSatisfy(r -> {
            assertThat(r.get("runId").asText()).isEqualTo(run.runId());
            assertThat(r.get("destination").asText()).isEqualTo("local");
            assertThat(r.get("present").asBoolean()).isTrue();
            assertThat(r.get("storedSize").asLong()).isPositive();
        });
        assertThat(cli("list", "demo")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains(run.runId()).contains(".sqlite.zst.gpg").contains(".tar.zst.gpg");
    }

    @Test
    void listShowsTheLastVerificationOfEachArtifactFromVerifyWithAndWithoutKey() throws Exception {
        Workspace own = new Workspace(tmp.resolve("verified"));
        copy(ws.backups, own.backups);
        config = own.writeConfig();
        try {
            String sqlite = run.destinations().get(0).artifacts().stream().filter(k -> k.endsWith(".sqlite.zst.gpg")).findFirst().orElseThrow();
            String tar = run.destinations().get(0).artifacts().stream().filter(k -> k.endsWith(".tar.zst.gpg")).findFirst().orElseThrow();
            assertThat(cli("list", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
            assertThat(Json.MAPPER.readTree(out)).hasSize(2).allSatisfy(r -> assertThat(r.get("lastVerification").isNull()).isTrue());
            assertThat(cli("list", "demo")).isEqualTo(ExitCodes.SUCCESS);
            assertThat(out).contains("LAST VERIFICATION").contains(" never ");

            Instant before = Instant.now();
            assertThat(cli("verify", "demo", sqlite)).as(err).isEqualTo(ExitCodes.SUCCESS);
            JsonNode v = lastVerification(sqlite);
            assertThat(v.get("level").asText()).isEqualTo("stored-hash");
            assertThat(v.get("result").asText()).isEqualTo("OK");
            assertThat(v.get("by").asText()).isEqualTo("verify");
            assertThat(v.get("error").isNull()).isTrue();
            assertThat(Instant.parse(v.get("time").asText())).isBetween(before, Instant.now());
            assertThat(lastVerification(tar).isNull()).as("the other artifact was not verified").isTrue();

            assertThat(cli("verify", "demo", sqlite, "--key", key())).as(err).isEqualTo(ExitCodes.SUCCESS);
            assertThat(lastVerification(sqlite).get("level").asText()).isEqualTo("full");
            assertThat(lastVerification(sqlite).get("result").asText()).isEqualTo("OK");

            try (RandomAccessFile f = new RandomAccessFile(own.backups.resolve(tar).toFile(), "rw")) {
                f.seek(200);
                int b = f.read();
                f.seek(200);
                f.write(b ^ 0x04);
            }
            assertThat(cli("verify", "demo", tar)).isEqualTo(ExitCodes.FAILED);
            JsonNode failed = lastVerification(tar);
            assertThat(failed.get("result").asText()).isEqualTo("FAILED");
            assertThat(failed.get("level").asText()).isEqualTo("stored-hash");
            assertThat(failed.get("error").asText()).contains(tar).contains("corrupt");

            assertThat(cli("list", "demo")).isEqualTo(ExitCodes.SUCCESS);
            assertThat(out.lines().filter(l -> l.endsWith(sqlite))).singleElement().asString().contains(" full OK ");
            assertThat(out.lines().filter(l -> l.endsWith(tar))).singleElement().asString().contains(" stored-hash FAILED ");
        } finally {
            config = ws.writeConfig();
        }
    }

    /** The lastVerification of one artifact in {@code list --json}. */
    private JsonNode lastVerification(String artifact) throws Exception {
        assertThat(cli("list", "demo", "--json")).as(err).isEqualTo(ExitCodes.SUCCESS);
        for (JsonNode r : Json.MAPPER.readTree(out)) {
            if (r.get("artifact").asText().equals(artifact)) {
                return r.get("lastVerification");
            }
        }
        throw new AssertionError(artifact + " not listed: " + out);
    }

    @Test
    void verifyExitsZeroWhenRestorableAndOneNamingTheArtifactWhenNot() throws Exception {
        assertThat(cli("verify", "demo", "--latest")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).startsWith("OK ").contains("stored SHA-256 matches the manifest");

        String sqlite = run.destinations().get(0).artifacts().stream().filter(k -> k.endsWith(".sqlite.zst.gpg")).findFirst().orElseThrow();
        assertThat(cli("verify", "demo", sqlite, "--key", key(), "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode report = Json.MAPPER.readTree(out);
        assertThat(report.get("withKey").asBoolean()).isTrue();
        assertThat(report.get("checks").toString()).contains("PRAGMA integrity_check is ok");

        Workspace damaged = new Workspace(tmp.resolve("damaged"));
        copy(ws.backups, damaged.backups);
        try (RandomAccessFile f = new RandomAccessFile(damaged.backups.resolve(sqlite).toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x10);
        }
        config = damaged.writeConfig();
        try {
            assertThat(cli("verify", "demo", sqlite)).isEqualTo(ExitCodes.FAILED);
            assertThat(err).contains(sqlite).contains("corrupt");
            assertThat(cli("verify", "demo", sqlite, "--key", key())).isEqualTo(ExitCodes.FAILED);
            assertThat(err).contains(sqlite);
        } finally {
            config = ws.writeConfig();
        }
    }

    @Test
    void restoreWritesTheTargetAndRefusesToOverwriteIt() throws Exception {
        Path target = tmp.resolve("restored.sqlite");
        assertThat(cli("restore", "demo", run.destinations().get(0).artifacts().stream()
                .filter(k -> k.endsWith(".sqlite.zst.gpg")).findFirst().orElseThrow(), "--key", key(), "--to", target.toString()))
                .as(err).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains("Restored").contains(target.toString());
        assertThat(Tools.run(Map.of(), null, "sqlite3", target.toString(), "PRAGMA integrity_check").trim()).isEqualTo("ok");
        long size = Files.size(target);

        Path dir = tmp.resolve("files");
        assertThat(cli("restore", "demo", "--at", Instant.now().toString(), "--key", key(), "--to", dir.toString()))
                .as(err).isEqualTo(ExitCodes.SUCCESS);

        String sqliteName = Path.of(run.destinations().get(0).artifacts().get(0)).getFileName().toString();
        assertThat(cli("restore", "demo", sqliteName, "--key", key(), "--to", target.toString())).isEqualTo(ExitCodes.FAILED);
        assertThat(err).contains("exists").contains("--force").contains(sqliteName);
        assertThat(Files.size(target)).isEqualTo(size);
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(cli("restore", "demo", "--latest", "--to", tmp.resolve("x").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("--key");
        assertThat(cli("restore", "demo", "--key", key(), "--to", tmp.resolve("x").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("--latest");
        assertThat(cli("restore", "demo", "--latest", "--at", "yesterday", "--key", key(), "--to", "x")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli("restore", "demo", "--at", "yesterday", "--key", key(), "--to", "x")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("ISO-8601");
        assertThat(cli("list", "demo", "--destination", "nope")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("unknown destination 'nope'");
        assertThat(cli("verify", "demo", "--latest", "--key", tmp.resolve("no-such.asc").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void passphraseComesFromAFileAndAWrongOneFailsWithoutBeingPrinted() throws Exception {
        Path home = tmp.resolve("gnupg");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.writeString(home.resolve("gpg-agent.conf"), "s2k-count 65536\n");
        Map<String, String> env = Map.of("GNUPGHOME", home.toString());
        String[] gpg = {"gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "s3cret phrase"};
        Tools.run(env, null, concat(gpg, "--quick-gen-key", "P <p@x>", "future-default", "default", "never"));
        Tools.run(env, null, concat(gpg, "--armor", "--output", home.resolve("pub.asc").toString(), "--export", "P <p@x>"));
        Tools.run(env, null, concat(gpg, "--armor", "--output", home.resolve("sec.asc").toString(), "--export-secret-keys", "P <p@x>"));
        Tools.run(Map.of(), null, "gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent");
        stage("pp-job", home.resolve("pub.asc"), out -> out.write("data\n".getBytes(StandardCharsets.UTF_8)));

        Path good = Files.writeString(tmp.resolve("good.pass"), "s3cret phrase\n");
        Path bad = Files.writeString(tmp.resolve("bad.pass"), "guess\n");
        String sec = home.resolve("sec.asc").toString();
        assertThat(cli("verify", "pp-job", "--latest", "--key", sec, "--passphrase-file", bad.toString())).isEqualTo(ExitCodes.FAILED);
        assertThat(err).contains("wrong passphrase").contains("pp-job/").doesNotContain("guess");
        assertThat(cli("verify", "pp-job", "--latest", "--key", sec, "--passphrase-file", good.toString())).isEqualTo(ExitCodes.SUCCESS);
    }

    @Test
    void catalogRebuildRestoresTheHistoryOnAFreshInstall() throws Exception {
        Workspace fresh = new Workspace(tmp.resolve("fresh"));
        fresh.set("backroute.destinations.local.path", ws.backups.toString());
        config = fresh.writeConfig();
        try {
            assertThat(cli("history", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
            assertThat(Json.MAPPER.readTree(out)).isEmpty();
            assertThat(cli("catalog", "rebuild", "--from", "local")).as(err).isEqualTo(ExitCodes.SUCCESS);
            assertThat(out).contains("runs added");
            assertThat(cli("history", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
            JsonNode h = Json.MAPPER.readTree(out);
            assertThat(h).hasSize(1);
            assertThat(h.get(0).get("runId").asText()).isEqualTo(run.runId());
            assertThat(h.get(0).get("status").asText()).isEqualTo("SUCCESS");
            assertThat(h.get(0).get("storedBytes").asLong()).isEqualTo(run.storedBytes());
            assertThat(h.get(0).get("destinations").get(0).get("artifacts")).hasSize(2);

            assertThat(cli("catalog", "rebuild", "--from", "local", "--json")).isEqualTo(ExitCodes.SUCCESS);
            assertThat(Json.MAPPER.readTree(out).get("existing").toString()).contains(run.runId());
            assertThat(Json.MAPPER.readTree(out).get("added")).isEmpty();
        } finally {
            config = ws.writeConfig();
        }
    }

    @Test
    void aRestoreKilledMidStreamLeavesNoFileUnderTheFinalName() throws Exception {
        // 256 MiB of plain text compresses to almost nothing: staging is quick, the restore writes long enough to be killed
        byte[] line = "0123456789 the quick brown fox jumps over the lazy dog, again and again and again\n".getBytes(StandardCharsets.UTF_8);
        byte[] block = new byte[1 << 16];
        for (int i = 0; i < block.length; i++) {
            block[i] = line[i % line.length];
        }
        stage("big", ws.keys.resolve("demo-public.asc"), out -> {
            for (int i = 0; i < 4 * 1024; i++) {
                out.write(block);
            }
        });
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        Path target = dir.resolve("big.txt");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.backroute.Backroute",
                "--config", config.toString(), "restore", "big", "--latest", "--key", key(), "--to", target.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                try (Stream<Path> s = Files.list(dir)) {
                    return s.anyMatch(f -> f.getFileName().toString().contains(".restore-") && sizeOf(f) > (1 << 20));
                }
            });
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertThat(p.exitValue()).isNotZero();
        assertThat(target).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(f -> f.getFileName().toString())).allMatch(n -> n.startsWith(".big.txt.restore-") && n.endsWith(".part"));
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Stages one artifact through the real codecs into the workspace's local destination. */
    private StagedArtifact stage(String job, Path publicKey, Writer writer) throws Exception {
        Instant start = Instant.now();
        String runId = io.backroute.catalog.ArtifactNames.newRunId(job, start, new java.util.Random());
        Path dir = Staging.createRunDir(tmp.resolve("staging"), runId);
        try {
            RunContext rc = new RunContext(job, runId, "test", start, dir);
            BackupPlan plan = new BackupPlan();
            plan.addUnits(List.of(new DumpUnit() {
                @Override public String label() { return null; }
                @Override public String artifactKind() { return "txt"; }
                @Override public String sourceKind() { return "test"; }
                @Override public void writeTo(OutputStream out) throws IOException { writer.write(out); }
                @Override public Map<String, Object> details() { return new LinkedHashMap<>(); }
            }));
            plan.addTransform(Codecs.zstd(1, 0));
            plan.addTransform(OpenPgpEncryption.forKeyFiles(List.of(publicKey)));
            new Staging("test").stage(rc, plan);
            StagedArtifact s = rc.staged().get(0);
            LocalDestination d = new LocalDestination("local", ws.backups, null);
            d.put(s.file(), s.key());
            d.put(s.manifestFile(), s.manifestKey());
            return s;
        } finally {
            Staging.clean(dir);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
