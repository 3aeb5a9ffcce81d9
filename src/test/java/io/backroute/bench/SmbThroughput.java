package io.backroute.bench;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.auth.AuthenticationContext;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;
import io.backroute.store.Destination;
import io.backroute.store.SmbDestination;
import io.backroute.testsupport.SambaTestServer;
import io.backroute.testsupport.TestFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.camel.impl.DefaultCamelContext;

/** Measures SMB upload throughput against a private smbd: the SMB destination, raw smbj variants and smbclient (bench/fanout.sh). */
public final class SmbThroughput {

    private SmbThroughput() { }

    interface Upload {
        void run(Path file, String name) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String only = args.length > 2 ? args[2] : "";
        try (SambaTestServer server = new SambaTestServer(); DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Path file = TestFiles.random(Files.createTempFile("smb-bench", ".bin"), mib << 20, 1);
            Map<String, String> o = server.options("");
            int[] n = {0};
            Destination dest = new SmbDestination.Provider().create("smb-bench", o, camel);
            measure("destination put (current)", only, rounds, mib, () -> (p, k) -> dest.put(p, k), file, n, dest);
            measure("smbclient put", only, rounds, mib, () -> (p, k) -> {
                Process pr = new ProcessBuilder("smbclient", "//127.0.0.1/" + SambaTestServer.SHARE, "-p", String.valueOf(server.port()),
                        "-U", SambaTestServer.USER + "%" + SambaTestServer.PASSWORD, "-c", "put " + p + " " + k)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (pr.waitFor() != 0) {
                    throw new IllegalStateException("smbclient " + pr.exitValue());
                }
            }, file, n, dest);
            for (String variant : new String[] {"bc-default", "default", "smb2.1", "smb3.0"}) {
                for (int wbs : new int[] {1 << 20, 8 << 20}) {
                    for (int depth : new int[] {1, 16}) {
                        int w = wbs;
                        int d = depth;
                        measure("smbj " + variant + " " + (wbs >> 20) + " MiB x " + depth + " in flight", only, rounds, mib,
                                () -> (p, k) -> raw(server, p, k, w, d, variant), file, n, dest);
                    }
                }
            }
            dest.close();
            Files.delete(file);
        }
    }

    private static void raw(SambaTestServer server, Path p, String k, int wbs, int depth, String variant) throws Exception {
        SmbConfig.Builder b = SmbConfig.builder().withWriteBufferSize(wbs);
        if (!variant.startsWith("bc-")) {
            b.withSecurityProvider(new io.backroute.store.SmbSigning());
        }
        switch (variant) {
            case "nosign" -> b.withDialects(com.hierynomus.mssmb2.SMB2Dialect.SMB_2_1).withSigningEnabled(false).withSigningRequired(false);
            case "smb2.1" -> b.withDialects(com.hierynomus.mssmb2.SMB2Dialect.SMB_2_1);
            case "smb3.0" -> b.withDialects(com.hierynomus.mssmb2.SMB2Dialect.SMB_3_0);
            case "smb3.0.2" -> b.withDialects(com.hierynomus.mssmb2.SMB2Dialect.SMB_3_0_2);
            default -> { }
        }
        SmbConfig config = b.build();
        try (SMBClient client = new SMBClient(config); Connection c = client.connect("127.0.0.1", server.port())) {
            DiskShare share = (DiskShare) c.authenticate(new AuthenticationContext(SambaTestServer.USER,
                    SambaTestServer.PASSWORD.toCharArray(), null)).connectShare(SambaTestServer.SHARE);
            try (File f = share.openFile(k, EnumSet.of(AccessMask.GENERIC_WRITE), null, SMB2ShareAccess.ALL,
                    SMB2CreateDisposition.FILE_CREATE, null); InputStream in = Files.newInputStream(p)) {
                if (k.endsWith("-probe.bin")) {
                    System.out.println("  dialect " + c.getNegotiatedProtocol().getDialect() + " signing " + share.getTreeConnect().getSession().isSigningRequired());
                }
                int chunk = Math.min(wbs, c.getNegotiatedProtocol().getMaxWriteSize());
                ArrayDeque<Future<Long>> inflight = new ArrayDeque<>();
                long off = 0;
                while (true) {
                    byte[] buf = in.readNBytes(chunk);
                    if (buf.length == 0) {
                        break;
                    }
                    if (inflight.size() >= depth) {
                        inflight.removeFirst().get();
                    }
                    inflight.add(f.writeAsync(buf, off, 0, buf.length));
                    off += buf.length;
                }
                for (Future<Long> fu : inflight) {
                    fu.get();
                }
            }
        }
    }

    interface Maker {
        Upload make();
    }

    private static void measure(String label, String only, int rounds, long mib, Maker m, Path file, int[] n, Destination dest)
            throws Exception {
        if (!only.isEmpty() && !label.contains(only)) {
            return;
        }
        Upload u = m.make();
        double[] mbs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            String key = "bench-" + (n[0]++) + ".bin";
            long t0 = System.nanoTime();
            u.run(file, key);
            mbs[r] = (mib << 20) / 1e6 / ((System.nanoTime() - t0) / 1e9);
            if (dest.stat(key).orElse(-1) != (mib << 20)) {
                throw new IllegalStateException(label + ": wrong size at " + key);
            }
            dest.delete(key);
        }
        Arrays.sort(mbs);
        System.out.printf("SMB %-40s median %6.1f MB/s (%d x %d MiB)%n", label, mbs[rounds / 2], rounds, mib);
    }
}
