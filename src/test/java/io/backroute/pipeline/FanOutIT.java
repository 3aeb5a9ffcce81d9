package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.store.Destination;
import io.backroute.testsupport.FtpTestServer;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.SambaTestServer;
import io.backroute.testsupport.SftpTestServer;
import io.backroute.testsupport.TestFiles;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Proves the parallel fan-out end to end against real local, S3, FTP, FTPS, SFTP and SMB servers: gpg-restorable artifacts, manifests last, PARTIAL/FAILED isolation, retries, sweeping and full verification. */
class FanOutIT {

    private static final String ALL = "local,s3,ftp,ftps,sftp,smb";
    private static final String PREFIX = "backroute.destinations.";

    static S3TestServer s3;
    static FtpTestServer ftp;
    static FtpTestServer ftps;
    static SftpTestServer sftp;
    static SambaTestServer smb;
    static Path source;
    static List<String> sourceFiles;

    @TempDir
    Path tmp;

    String dir;
    Workspace ws;

    @BeforeAll
    static void startServers(@TempDir Path shared) throws Exception {
        s3 = new S3TestServer();
        ftp = FtpTestServer.ftp();
        ftps = FtpTestServer.ftps();
        sftp = new SftpTestServer();
        smb = new SambaTestServer();
        source = Files.createDirectories(shared.resolve("source"));
        Files.createDirectories(source.resolve("docs/nested"));
        Files.writeString(source.resolve("docs/readme.txt"), "the fan-out test tree\n".repeat(2000));
        Files.writeString(source.resolve("docs/nested/config.ini"), "[a]\nkey=value\n");
        // incompressible, so the artifact spans many transfer buffers at every destination
        TestFiles.random(source.resolve("random.bin"), 1024L * 1024, 42);
        sourceFiles = List.of("docs/readme.txt", "docs/nested/config.ini", "random.bin");
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {s3, ftp, ftps, sftp, smb}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @AfterEach
    void unhook() {
        ftp.hook(null);
    }

    /** A workspace whose destinations all point at a directory (or S3 prefix) of this test only, so runs never collide. */
    private Workspace workspace(TestInfo test, String destinations) throws Exception {
        dir = test.getTestMethod().orElseThrow().getName();
        ws = new Workspace(tmp, "file:src/test/resources/routes/fanout/*.camel.yaml")
                // these tests count the protocol commands of the run itself: retention's listing comes later, on its schedule
                .set("backroute.retention.after-run", "false")
                .set("jobs.fanout.directory", source.toString())
                .set("jobs.fanout.destinations", destinations)
                .set("jobs.fanout.verify", "size");
        Files.createDirectories(ftp.home().resolve(dir));
        Files.createDirectories(ftps.home().resolve(dir));
        Files.createDirectories(sftp.root().resolve(dir));
        smb.chownToUser(Files.createDirectories(smb.shareDir().resolve(dir)));
        Map<String, String> s3Options = s3.options();
        s3Options.put("prefix", dir);
        declare("s3", "s3", s3Options);
        declare("ftp", "ftp", ftp.options(dir));
        declare("ftps", "ftps", ftps.options(dir));
        declare("sftp", "sftp", sftp.options(dir));
        declare("smb", "smb", smb.options(dir));
        return ws;
    }

    private void declare(String name, String kind, Map<String, String> options) {
        ws.set(PREFIX + name + ".kind", kind);
        options.forEach((k, v) -> ws.set(PREFIX + name + "." + k, v));
    }

    private static RunRecord run(BackrouteService service) {
        return service.runtime().runNow("fanout", "test");
    }

    private static DestinationResult result(RunRecord run, String destination) {
        return run.destinations().stream().filter(r -> r.destination().equals(destination)).findFirst().orElseThrow();
    }

    /** The artifact key of a run (one artifact: the directory tree). */
    private static String artifactKey(RunRecord run) {
        DestinationResult ok = run.destinations().stream().filter(DestinationResult::ok).findFirst().orElseThrow();
        assertThat(ok.artifacts()).singleElement().asString().startsWith("fanout/fanout-").endsWith(".tar.zst.gpg");
        return ok.artifacts().get(0);
    }

    /** Asserts the destination holds exactly the artifact and its manifest, and that the manifest describes the bytes stored there. */
    private void assertComplete(BackrouteService service, String destination, String key) throws Exception {
        Destination d = service.runtime().destinations().get(destination);
        assertThat(d.list("fanout/")).as("keys at %s", destination).containsExactly(key, key + Manifest.SUFFIX);
        Path copy = tmp.resolve("read-back-" + destination);
        try (InputStream in = d.open(key)) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        Manifest m;
        try (InputStream in = d.open(key + Manifest.SUFFIX)) {
            m = ManifestJson.read(in, destination + ":" + key);
        }
        assertThat(m.storedSize()).as("stored size at %s", destination).isEqualTo(Files.size(copy));
        assertThat(m.storedSha256()).as("stored sha256 at %s", destination).isEqualTo(TestFiles.sha256sum(copy));
    }

    /** Decrypts and unpacks a read-back artifact with gpg, zstd and tar alone. */
    private List<String> restoredNames(Path artifact) throws Exception {
        Path home = tmp.resolve("gnupg");
        Map<String, String> gpg = Files.isDirectory(home) ? Map.of("GNUPGHOME", home.toString())
                : Tools.gpgHomeWith(home, ws.keys.resolve("demo-secret.asc"));
        String listing = Tools.bash(gpg, tmp, "gpg --batch --quiet --decrypt '" + artifact + "' | zstd -d | tar -t");
        return Tools.lines(listing).stream().map(l -> l.replaceFirst("^\\./", "")).toList();
    }

    @Test
    void everyDestinationGetsAGpgRestorableArtifactAndItsManifestOnlyAfterIt(TestInfo test) throws Exception {
        workspace(test, ALL);
        List<String> ftpCommands = new CopyOnWriteArrayList<>();
        ftp.hook(recorder(ftpCommands));
        try (LogCapture logs = new LogCapture(Level.INFO); BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);
            List<String> ftpDuringRun = List.copyOf(ftpCommands);

            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            assertThat(run.destinations()).extracting(DestinationResult::destination)
                    .containsExactlyInAnyOrder("local", "s3", "ftp", "ftps", "sftp", "smb");
            assertThat(run.destinations()).allSatisfy(r -> assertThat(r.ok()).as("%s: %s", r.destination(), r.error()).isTrue());
            String key = artifactKey(run);
            String manifestKey = key + Manifest.SUFFIX;

            for (String d : List.of("local", "s3", "ftp", "ftps", "sftp", "smb")) {
                assertComplete(service, d, key);
                assertThat(restoredNames(tmp.resolve("read-back-" + d))).as("tar listing of the artifact at %s", d)
                        .containsAll(sourceFiles);
            }
            // the local copy, straight from disk, restores too
            assertThat(restoredNames(ws.backups.resolve(key))).containsAll(sourceFiles);

            // manifest strictly after the artifact: each remote kind logs its committed puts in order...
            for (String d : List.of("s3", "ftp", "ftps", "sftp", "smb")) {
                List<String> stored = logs.messages().stream().filter(m -> m.contains("RemoteDestination: " + d + ": stored ")).toList();
                assertThat(stored).as("commits at %s", d).hasSize(2);
                assertThat(stored.get(0)).contains(key + " (");
                assertThat(stored.get(1)).contains(manifestKey);
            }
            // ...the FTP server saw the artifact renamed into place before the manifest upload began...
            String artifactName = key.substring(key.indexOf('/') + 1);
            assertThat(ftpDuringRun).containsSubsequence("RNTO " + artifactName, "STOR " + artifactName + Manifest.SUFFIX + ".part");
            // ...and in verify=size mode nothing was downloaded for verification
            assertThat(ftpDuringRun).noneMatch(c -> c.startsWith("RETR"));
            assertThat(Files.getLastModifiedTime(ws.backups.resolve(manifestKey)))
                    .isGreaterThanOrEqualTo(Files.getLastModifiedTime(ws.backups.resolve(key)));
        }
    }

    @Test
    void verifyFullReadsTheArtifactBackBeforeWritingTheManifest(TestInfo test) throws Exception {
        workspace(test, ALL).set("jobs.fanout.verify", "full");
        List<String> ftpCommands = new CopyOnWriteArrayList<>();
        ftp.hook(recorder(ftpCommands));
        try (BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);

            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            assertThat(run.destinations()).hasSize(6).allSatisfy(r -> assertThat(r.ok()).as("%s: %s", r.destination(), r.error()).isTrue());
            String key = artifactKey(run);
            String artifactName = key.substring(key.indexOf('/') + 1);
            assertThat(ftpCommands).containsSubsequence("RNTO " + artifactName, "RETR " + artifactName,
                    "STOR " + artifactName + Manifest.SUFFIX + ".part");
            for (String d : List.of("s3", "sftp", "smb")) {
                assertComplete(service, d, key);
            }
        }
    }

    @Test
    void oneDestinationDownMakesTheRunPartialWhileTheOthersComplete(TestInfo test) throws Exception {
        workspace(test, ALL);
        SftpTestServer down = new SftpTestServer();
        Files.createDirectories(down.root().resolve(dir));
        Map<String, String> downOptions = down.options(dir);
        down.stop();
        declare("sftp", "sftp", downOptions);
        try (BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);

            assertThat(run.status()).isEqualTo(RunStatus.PARTIAL);
            DestinationResult failed = result(run, "sftp");
            assertThat(failed.ok()).isFalse();
            assertThat(failed.error()).startsWith("sftp: ").doesNotContain(SftpTestServer.PASSWORD);
            assertThat(run.error()).doesNotContain(SftpTestServer.PASSWORD);
            String key = artifactKey(run);
            for (String d : List.of("local", "s3", "ftp", "ftps", "smb")) {
                assertThat(result(run, d).ok()).as("%s: %s", d, result(run, d).error()).isTrue();
                assertComplete(service, d, key);
            }
        }
    }

    @Test
    void everyDestinationDownFailsTheRunNamingEachOne(TestInfo test) throws Exception {
        workspace(test, "s3,ftp,sftp").set("backroute.delivery.attempts", "2");
        S3TestServer s3Down = new S3TestServer();
        FtpTestServer ftpDown = FtpTestServer.ftp();
        SftpTestServer sftpDown = new SftpTestServer();
        declare("s3", "s3", s3Down.options());
        declare("ftp", "ftp", ftpDown.options(""));
        declare("sftp", "sftp", sftpDown.options(""));
        s3Down.close();
        ftpDown.close();
        sftpDown.close();
        try (BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);

            assertThat(run.status()).isEqualTo(RunStatus.FAILED);
            assertThat(run.destinations()).hasSize(3).allSatisfy(r -> {
                assertThat(r.ok()).isFalse();
                assertThat(r.error()).startsWith(r.destination() + ": ")
                        .doesNotContain(S3TestServer.SECRET_KEY, FtpTestServer.PASSWORD, SftpTestServer.PASSWORD);
                assertThat(r.artifacts()).isEmpty();
            });
            assertThat(String.valueOf(run.error())).doesNotContain(S3TestServer.SECRET_KEY, FtpTestServer.PASSWORD, SftpTestServer.PASSWORD);
        }
    }

    @Test
    void transientUploadFailureIsRetriedWithAWarningAndSucceeds(TestInfo test) throws Exception {
        workspace(test, "local,ftp");
        AtomicInteger stores = new AtomicInteger();
        ftp.hook(new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
                    throws java.io.IOException, org.apache.ftpserver.ftplet.FtpException {
                if (request.getCommand().equals("STOR") && request.getArgument().endsWith(".tar.zst.gpg.part")
                        && stores.incrementAndGet() == 1) {
                    session.write(new DefaultFtpReply(451, "Requested action aborted: local error in processing"));
                    return FtpletResult.SKIP;
                }
                return FtpletResult.DEFAULT;
            }
        });
        try (LogCapture logs = new LogCapture(Level.WARN); BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);

            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            assertThat(stores).as("artifact uploads seen by the server").hasValue(2);
            assertThat(logs.messages()).filteredOn(m -> m.contains("retrying in"))
                    .singleElement().asString().contains("to ftp failed", "(1/4)", "451").doesNotContain(FtpTestServer.PASSWORD);
            assertComplete(service, "ftp", artifactKey(run));
        }
    }

    @Test
    void wrongPasswordIsPermanentAndNotRetried(TestInfo test) throws Exception {
        workspace(test, "local,ftp").set("backroute.delivery.attempts", "4");
        String wrong = "wrong-Pw-0b7d-secret";
        ws.set(PREFIX + "ftp.password", wrong);
        List<String> ftpCommands = new CopyOnWriteArrayList<>();
        ftp.hook(recorder(ftpCommands));
        try (LogCapture logs = new LogCapture(Level.WARN); BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);

            assertThat(run.status()).isEqualTo(RunStatus.PARTIAL);
            assertThat(result(run, "local").ok()).isTrue();
            DestinationResult ftpResult = result(run, "ftp");
            assertThat(ftpResult.ok()).isFalse();
            assertThat(ftpResult.error()).startsWith("ftp: ").contains("login").doesNotContain(wrong);
            // one login for the temp sweep, one for the single upload attempt; retrying would make at least 5
            assertThat(ftpCommands).filteredOn(c -> c.startsWith("PASS")).hasSizeLessThanOrEqualTo(2);
            assertThat(ftpCommands).noneMatch(c -> c.startsWith("STOR"));
            assertThat(logs.messages()).noneMatch(m -> m.contains("retrying in"));
            assertThat(logs.messages()).noneMatch(m -> m.contains(wrong));
        }
    }

    @Test
    void staleTempOfTheJobIsSweptByTheNextRunAndNothingElseIsTouched(TestInfo test) throws Exception {
        workspace(test, "local,ftp,sftp,smb");
        Instant old = Instant.now().minus(Duration.ofDays(2));
        Map<String, Path> roots = new HashMap<>();
        roots.put("local", ws.backups);
        roots.put("ftp", ftp.home().resolve(dir));
        roots.put("sftp", sftp.root().resolve(dir));
        roots.put("smb", smb.shareDir().resolve(dir));
        List<Path> untouched = new ArrayList<>();
        List<Path> stale = new ArrayList<>();
        for (Map.Entry<String, Path> e : roots.entrySet()) {
            Path root = e.getValue();
            stale.add(file(root, "fanout/fanout-20200101T000000Z.tar.zst.gpg.part", old));
            // a younger temp may be another process's upload in flight; other jobs' temps and non-temp files are not ours
            untouched.add(file(root, "fanout/fanout-20200102T000000Z.tar.zst.gpg.part", Instant.now()));
            untouched.add(file(root, "other-job/other-job-20200101T000000Z.tar.zst.gpg.part", old));
            untouched.add(file(root, "fanout/notes.txt", old));
        }
        try (LogCapture logs = new LogCapture(Level.WARN); BackrouteService service = ws.service()) {
            service.start();
            RunRecord run = run(service);

            assertThat(run.status()).as("run error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            assertThat(stale).allSatisfy(p -> assertThat(p).doesNotExist());
            assertThat(untouched).allSatisfy(p -> assertThat(p).exists());
            assertThat(logs.messages()).filteredOn(m -> m.contains("removed stale temp fanout/fanout-20200101T000000Z.tar.zst.gpg.part"))
                    .hasSize(4);
        }
    }

    /** Creates a file with the given mtime, owned by the SMB user when it lies in the share (smbd acts as that user). */
    private Path file(Path root, String relative, Instant mtime) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "leftover " + relative + "\n");
        Files.setLastModifiedTime(p, FileTime.from(mtime));
        if (p.startsWith(smb.shareDir())) {
            smb.chownToUser(p.getParent());
            smb.chownToUser(p);
        }
        return p;
    }

    /** An FTP hook that records "COMMAND argument" (file name only) of every command. */
    private static DefaultFtplet recorder(List<String> commands) {
        return new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
                String arg = request.getArgument() == null || request.getCommand().equals("PASS") ? "" : request.getArgument();
                commands.add(request.getCommand() + " " + arg.substring(arg.lastIndexOf('/') + 1));
                return FtpletResult.DEFAULT;
            }
        };
    }
}
