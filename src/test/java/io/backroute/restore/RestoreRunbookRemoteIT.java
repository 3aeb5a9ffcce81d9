package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.FtpTestServer;
import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.SambaTestServer;
import io.backroute.testsupport.SftpTestServer;
import io.backroute.testsupport.TestFiles;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the fetch blocks of docs/restore.md: run literally against real S3 (S3Proxy), SMB (smbd), SFTP (MINA SSHD),
 * FTP and FTPS (Apache FtpServer) servers holding the artifact of one real Backroute run, each fetches the artifact and
 * its manifest so that the check and directory blocks restore the source tree, and each fails when the artifact is
 * missing beside its manifest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreRunbookRemoteIT {

    /** The blocks this class runs. */
    static final List<String> BLOCKS = List.of("fetch-s3", "fetch-smb", "fetch-sftp", "fetch-sftp-password", "fetch-ftp",
            "ftps-ca", "fetch-ftps");

    /** The destination directory (S3 prefix) of the job at every server. */
    static final String DIR = "runbook";
    static final String JOB = "fanout";
    /** An artifact that is missing at every server while its manifest is there (an upload lost after the manifest). */
    static final String MISSING = "fanout-19990101T000000Z.tar.zst.gpg";

    @TempDir
    Path tmp;

    /** Tests of this class that ran (passed or failed), for the check that every claimed block ran. */
    int testsRun;

    @AfterEach
    void countTest() {
        testsRun++;
    }

    S3TestServer s3;
    FtpTestServer ftp;
    FtpTestServer ftps;
    SftpTestServer sftp;
    SambaTestServer smb;
    Workspace ws;
    Path source;
    Path sshKey;
    String name;

    @BeforeAll
    void serversAndOneRunToAllOfThem(@TempDir Path shared) throws Exception {
        s3 = new S3TestServer();
        ftp = FtpTestServer.ftp();
        ftps = FtpTestServer.ftps();
        sftp = new SftpTestServer();
        smb = new SambaTestServer();

        source = Files.createDirectories(shared.resolve("source/docs"));
        Files.writeString(source.resolve("readme.txt"), "what the runbook fetches\n".repeat(500));
        TestFiles.random(source.getParent().resolve("random.bin"), 64 * 1024, 7);
        source = source.getParent();

        ws = new Workspace(shared.resolve("ws"), "file:src/test/resources/routes/fanout/*.camel.yaml")
                .set("jobs.fanout.directory", source.toString())
                .set("jobs.fanout.destinations", "s3,ftp,ftps,sftp,smb")
                .set("jobs.fanout.verify", "size")
                // one run to keep: retention's listing at five servers would only add time
                .set("backroute.retention.after-run", "false");
        Files.createDirectories(ftp.home().resolve(DIR));
        Files.createDirectories(ftps.home().resolve(DIR));
        Files.createDirectories(sftp.root().resolve(DIR));
        smb.chownToUser(Files.createDirectories(smb.shareDir().resolve(DIR)));
        Map<String, String> s3Options = s3.options();
        s3Options.put("prefix", DIR);
        declare("s3", "s3", s3Options);
        declare("ftp", "ftp", ftp.options(DIR));
        declare("ftps", "ftps", ftps.options(DIR));
        declare("sftp", "sftp", sftp.options(DIR));
        declare("smb", "smb", smb.options(DIR));
        RunRecord run;
        try (BackrouteService s = ws.service()) {
            s.start();
            run = s.runtime().runNow(JOB, "test");
        }
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCESS);
        assertThat(run.destinations()).hasSize(5);
        String key = run.destinations().get(0).artifacts().get(0);
        name = key.substring(key.lastIndexOf('/') + 1);

        String manifest = Files.readString(ftp.home().resolve(DIR).resolve(key + ".manifest.json"));
        String orphan = DIR + "/" + JOB + "/" + MISSING + ".manifest.json";
        for (Path p : List.of(ftp.home().resolve(orphan), ftps.home().resolve(orphan), sftp.root().resolve(orphan),
                smb.shareDir().resolve(orphan), s3.blobFile(orphan))) {
            Files.writeString(p, manifest);
        }
        smb.chownToUser(smb.shareDir().resolve(orphan));
        // the SSH key an operator would use (Backroute's privateKeyFile)
        sshKey = shared.resolve("id_ecdsa");
        Tools.run(Map.of(), null, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "runbook", "-f", sshKey.toString());
        sftp.authorize(Path.of(sshKey + ".pub"));
    }

    private void declare(String destination, String kind, Map<String, String> options) {
        ws.set("backroute.destinations." + destination + ".kind", kind);
        options.forEach((k, v) -> ws.set("backroute.destinations." + destination + "." + k, v));
    }

    @AfterAll
    void stopServersAndCheckEveryBlockRan() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {s3, ftp, ftps, sftp, smb}) {
            if (c != null) {
                c.close();
            }
        }
        RunbookBlocks.assertClaimedBlocksRan(getClass(), testsRun, BLOCKS);
    }

    /** The documented variables every block takes, for a fresh, empty BACKUPS. */
    private Map<String, String> vars(String artifact) throws Exception {
        Map<String, String> v = new HashMap<>();
        v.put("JOB", JOB);
        v.put("NAME", artifact);
        v.put("BACKUPS", Files.createTempDirectory(tmp, "fetched-").toString());
        v.put("KEY", ws.keys.resolve("demo-secret.asc").toString());
        return v;
    }

    /** A file only its owner reads, as the doc asks for credential files. */
    private Path secretFile(String fileName, String content) throws Exception {
        Path f = tmp.resolve(fileName);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private Path netrc(String password) throws Exception {
        return secretFile("netrc-" + password.hashCode(), "machine 127.0.0.1 login backroute password " + password + "\n");
    }

    /**
     * Runs a fetch block, then the check and directory blocks on what it fetched: the artifact and its manifest arrived
     * whole, and the tree they restore equals the source. Then the same block must fail for an artifact whose manifest
     * is there but which is not. Returns the fetch block's output.
     */
    private String fetchesARestorableArtifactAndFailsForAMissingOne(String block, Map<String, String> extra) throws Exception {
        Map<String, String> v = vars(name);
        v.putAll(extra);
        String out = RunbookBlocks.succeed(block, v, tmp.resolve("work-" + block));
        Path fetched = Path.of(v.get("BACKUPS")).resolve(JOB);
        assertThat(fetched.resolve(name)).isRegularFile();
        assertThat(fetched.resolve(name + ".manifest.json")).isRegularFile();

        assertThat(RunbookBlocks.succeed("check", v, tmp.resolve("check-" + block))).contains(name + ": OK");
        Path restoreDir = tmp.resolve("restore-" + block);
        RunbookBlocks.succeed("directory", v, restoreDir);
        assertThat(Tools.run(Map.of(), null, "diff", "-r", "--no-dereference", source.toString(),
                restoreDir.resolve("restored").toString())).isEmpty();

        Map<String, String> missing = vars(MISSING);
        missing.putAll(extra);
        Tools.Result r = RunbookBlocks.run(block, missing, tmp.resolve("missing-" + block));
        assertThat(r.exit()).as("%s for an artifact missing beside its manifest; stdout %s stderr %s", block, r.out(), r.err())
                .isNotZero();
        return out;
    }

    @Test
    void s3BlockFetchesWithAwsCli() throws Exception {
        String out = fetchesARestorableArtifactAndFailsForAMissingOne("fetch-s3", Map.of(
                "S3_URL", "s3://" + S3TestServer.BUCKET + "/" + DIR,
                "S3_ENDPOINT", s3.endpoint(),
                "AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY,
                "AWS_DEFAULT_REGION", "us-east-1"));
        assertThat(out).contains(name).contains(name + ".manifest.json");
    }

    @Test
    void smbBlockFetchesWithSmbclient() throws Exception {
        Path auth = secretFile("smb-auth", "username = " + SambaTestServer.USER + "\npassword = " + SambaTestServer.PASSWORD + "\n");
        String out = fetchesARestorableArtifactAndFailsForAMissingOne("fetch-smb", Map.of(
                "SMB_SHARE", "//127.0.0.1/" + SambaTestServer.SHARE,
                "SMB_PORT", Integer.toString(smb.port()),
                "SMB_DIR", DIR,
                "SMB_AUTH", auth.toString()));
        assertThat(out).contains(name);
    }

    @Test
    void sftpBlockFetchesWithTheSshKeyAndTheKnownHostsFile() throws Exception {
        String out = fetchesARestorableArtifactAndFailsForAMissingOne("fetch-sftp", Map.of(
                "SFTP_HOST", "127.0.0.1",
                "SFTP_PORT", Integer.toString(sftp.port()),
                "SFTP_USER", SftpTestServer.USER,
                "SFTP_DIR", DIR,
                "SSH_KEY", sshKey.toString(),
                "KNOWN_HOSTS", sftp.knownHosts().toString()));
        assertThat(out).contains(name);
    }

    @Test
    void sftpPasswordBlockFetchesWithCurlPinningTheHostKey() throws Exception {
        // the fingerprint as the doc says to get it: ssh-keygen -lf KNOWN_HOSTS prints "256 SHA256:... [host]:port (ECDSA)"
        String line = Tools.run(Map.of(), null, "ssh-keygen", "-lf", sftp.knownHosts().toString()).strip();
        String fingerprint = line.split("\\s+")[1].substring("SHA256:".length());
        Map<String, String> vars = Map.of(
                "SFTP_URL", "sftp://127.0.0.1:" + sftp.port() + "/~/" + DIR,
                "NETRC", netrc(SftpTestServer.PASSWORD).toString(),
                "SFTP_HOST_KEY_SHA256", fingerprint);
        String out = fetchesARestorableArtifactAndFailsForAMissingOne("fetch-sftp-password", vars);
        assertThat(out).contains(name);

        Map<String, String> impostor = new HashMap<>(vars(name));
        impostor.putAll(vars);
        impostor.put("SFTP_HOST_KEY_SHA256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Tools.Result r = RunbookBlocks.run("fetch-sftp-password", impostor, tmp.resolve("impostor"));
        assertThat(r.exit()).as("a host key other than the pinned one is refused").isNotZero();
    }

    @Test
    void ftpBlockFetchesWithCurl() throws Exception {
        String out = fetchesARestorableArtifactAndFailsForAMissingOne("fetch-ftp", Map.of(
                "FTP_URL", "ftp://127.0.0.1:" + ftp.port() + "/" + DIR,
                "NETRC", netrc(FtpTestServer.PASSWORD).toString()));
        assertThat(out).contains(name);
    }

    @Test
    void ftpsBlocksTakeTheCaFromBackroutesTrustStoreAndFetchOverTls() throws Exception {
        Path caDir = Files.createTempDirectory(tmp, "ca-");
        Map<String, String> ca = new HashMap<>(Map.of("BACKUPS", caDir.toString(),
                "FTPS_TRUST_STORE", ftps.trustStore().toString(), "FTPS_TRUST_STORE_PASSWORD", ftps.trustStorePassword()));
        RunbookBlocks.succeed("ftps-ca", ca, tmp.resolve("work-ftps-ca"));
        Path pem = caDir.resolve("ftps-ca.pem");
        assertThat(Files.readString(pem)).contains("-----BEGIN CERTIFICATE-----");

        Map<String, String> vars = Map.of(
                "FTP_URL", "ftp://127.0.0.1:" + ftps.port() + "/" + DIR,
                "NETRC", netrc(FtpTestServer.PASSWORD).toString(),
                "FTPS_CA", pem.toString());
        String out = fetchesARestorableArtifactAndFailsForAMissingOne("fetch-ftps", vars);
        assertThat(out).contains(name);

        Map<String, String> untrusted = new HashMap<>(vars(name));
        untrusted.putAll(vars);
        untrusted.remove("FTPS_CA");
        Tools.Result r = RunbookBlocks.run("fetch-ftps", untrusted, tmp.resolve("untrusted"));
        assertThat(r.exit()).as("without the CA the self-signed certificate is refused").isNotZero();
    }
}
