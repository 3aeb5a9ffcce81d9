package io.backroute.bench;

import io.backroute.store.Destination;
import io.backroute.store.SftpDestination;
import io.backroute.testsupport.SftpTestServer;
import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;

/** Measures SFTP upload throughput of the SFTP destination against the in-process SSHD for several client settings (bench/fanout.sh). */
public final class SftpThroughput {

    private SftpThroughput() { }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 128;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        boolean quick = args.length > 2 && args[2].equals("quick");
        // JSch's own default order (chacha20 first when BouncyCastle is present) and request depth 16: the old behaviour
        configs.put("jsch-default (chacha20 first), bulk 16", Map.of("ciphers",
                "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
                "bulkRequests", "16"));
        configs.put("aes128-ctr, bulk 16", Map.of("ciphers", "aes128-ctr", "bulkRequests", "16"));
        configs.put("aes128-gcm, bulk 16", Map.of("ciphers", "aes128-gcm@openssh.com", "bulkRequests", "16"));
        configs.put("aes128-gcm, bulk 64", Map.of("bulkRequests", "64"));
        configs.put("aes128-gcm, bulk 256", Map.of("bulkRequests", "256"));
        configs.put("aes128-ctr, bulk 256", Map.of("ciphers", "aes128-ctr", "bulkRequests", "256"));
        configs.put("aes128-gcm, bulk 1024", Map.of("bulkRequests", "1024"));
        try (SftpTestServer server = new SftpTestServer(); DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Files.createDirectories(server.root().resolve("bench"));
            Path file = TestFiles.random(Files.createTempFile("sftp-bench", ".bin"), mib << 20, 1);
            int n = 0;
            for (Map.Entry<String, Map<String, String>> c : configs.entrySet()) {
                if (quick && !c.getKey().contains("256") && !c.getKey().contains("1024")) {
                    continue;
                }
                Map<String, String> o = server.options("bench");
                o.putAll(c.getValue());
                double[] mbs = new double[rounds];
                try (Destination d = new SftpDestination.Provider().create("sftp-bench", o, camel)) {
                    for (int r = 0; r < rounds; r++) {
                        String key = "bench/bench-" + (n++) + ".bin";
                        long t0 = System.nanoTime();
                        d.put(file, key);
                        mbs[r] = (mib << 20) / 1e6 / ((System.nanoTime() - t0) / 1e9);
                        d.delete(key);
                    }
                }
                java.util.Arrays.sort(mbs);
                System.out.printf("SFTP %-40s median %6.1f MB/s (%d x %d MiB)%n", c.getKey(), mbs[rounds / 2], rounds, mib);
            }
            Files.delete(file);
        }
    }
}
