package io.backroute.bench;

import io.backroute.store.Destination;
import io.backroute.store.S3Destination;
import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.TestFiles;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Measures S3 upload throughput of the S3 destination against an in-process S3Proxy for several minimum part
 * sizes, with the process CPU time per MB (client and server share this JVM) (bench/fanout.sh).
 */
public final class S3Throughput {

    private S3Throughput() { }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (S3TestServer server = new S3TestServer(); DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Path file = TestFiles.random(Files.createTempFile("s3-bench", ".bin"), mib << 20, 1);
            int n = 0;
            for (long part : new long[] {5L << 20, 16L << 20, 64L << 20}) {
                Map<String, String> o = server.options();
                o.put("partSize", Long.toString(part));
                double[] mbs = new double[rounds];
                double[] cpu = new double[rounds];
                try (Destination d = new S3Destination.Provider().create("s3-bench", o, camel)) {
                    for (int r = 0; r < rounds; r++) {
                        String key = "bench/bench-" + (n++) + ".bin";
                        long c0 = os.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        d.put(file, key);
                        mbs[r] = (mib << 20) / 1e6 / ((System.nanoTime() - t0) / 1e9);
                        cpu[r] = (os.getProcessCpuTime() - c0) / 1e9;
                        d.delete(key);
                    }
                }
                Arrays.sort(mbs);
                Arrays.sort(cpu);
                System.out.printf("S3 part %3d MiB  median %6.1f MB/s, %.2f CPU-s per GB (client + S3Proxy) (%d x %d MiB)%n",
                        part >> 20, mbs[rounds / 2], cpu[rounds / 2] / ((mib << 20) / 1e9), rounds, mib);
            }
            Files.delete(file);
        }
    }
}
