package io.backroute.bench;

import io.backroute.codec.DemoKeys;
import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.SambaTestServer;
import io.backroute.testsupport.SftpTestServer;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the S3, SFTP and SMB test servers for bench/fanout.sh, writes their destination options (and the demo
 * key pair) where the script expects them, and serves until the process is terminated.
 */
public final class FanOutBenchServers {

    private FanOutBenchServers() { }

    public static void main(String[] args) throws Exception {
        Path props = Path.of(args[0]);
        Path keys = Path.of(args[1]);
        S3TestServer s3 = new S3TestServer();
        SftpTestServer sftp = new SftpTestServer();
        SambaTestServer smb = new SambaTestServer();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // smbd is our child: stop it, or it outlives the benchmark
            for (AutoCloseable c : new AutoCloseable[] {smb, sftp, s3}) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("stopping " + c.getClass().getSimpleName() + ": " + e);
                }
            }
            stopped.countDown();
        }));
        Files.createDirectories(sftp.root().resolve("bench"));
        smb.chownToUser(Files.createDirectories(smb.shareDir().resolve("bench")));
        DemoKeys.ensure(keys);

        Map<String, String> p = new TreeMap<>();
        put(p, "s3", "s3", s3.options());
        put(p, "sftp", "sftp", sftp.options("bench"));
        put(p, "smb", "smb", smb.options("bench"));
        // where the stored copies land, so the script can remove them between runs
        p.put("bench.clean.s3", s3.blobFile("x").getParent().toString());
        p.put("bench.clean.sftp", sftp.root().resolve("bench").toString());
        p.put("bench.clean.smb", smb.shareDir().resolve("bench").toString());
        Path tmp = props.resolveSibling(props.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            for (Map.Entry<String, String> e : p.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        Files.move(tmp, props, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("bench servers ready: " + props);
        stopped.await();
    }

    private static void put(Map<String, String> p, String name, String kind, Map<String, String> options) {
        p.put("backroute.destinations." + name + ".kind", kind);
        options.forEach((k, v) -> p.put("backroute.destinations." + name + "." + k, v));
    }
}
