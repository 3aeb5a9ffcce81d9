package io.backroute.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.catalog.SqliteRunCatalog;
import io.backroute.store.Destination;
import io.backroute.store.LocalDestination;
import io.backroute.store.S3Destination;
import io.backroute.store.SftpDestination;
import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.SftpTestServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Proves retention at real destinations (local, S3Proxy, SFTP): the policy prunes whole runs, manifests go first, foreign files and other jobs' artifacts stay, old orphans are swept, dry runs delete nothing, a failed latest run blocks pruning. */
class RetentionServiceIT {

    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    static Path tmp;

    static CamelContext camel;
    static S3TestServer s3;
    static SftpTestServer sftp;

    @BeforeAll
    static void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        s3 = new S3TestServer();
        sftp = new SftpTestServer();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        sftp.close();
        camel.stop();
    }

    static Stream<String> kinds() {
        return Stream.of("local", "s3", "sftp");
    }

    Destination destination(String kind, String name) throws Exception {
        return switch (kind) {
            case "local" -> new LocalDestination(name, Files.createDirectories(tmp.resolve(name)), camel);
            case "s3" -> new S3Destination(name, withPrefix(s3.options(), name), camel);
            default -> new S3DestinationLessSftp().create(name);
        };
    }

    private static Map<String, String> withPrefix(Map<String, String> options, String prefix) {
        var m = new java.util.HashMap<>(options);
        m.put("prefix", prefix);
        return m;
    }

    /** SFTP destination rooted in its own directory of the test server. */
    private final class S3DestinationLessSftp {
        Destination create(String name) throws Exception {
            Files.createDirectories(sftp.root().resolve(name));
            return new SftpDestination(name, sftp.options("/" + name), camel);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void prunesWholeRunsAndNeverTouchesWhatIsNotOurs(String kind) throws Exception {
        String name = kind + "-prune";
        try (Destination dest = destination(kind, name); SqliteRunCatalog catalog = new SqliteRunCatalog(tmp.resolve(name + ".db"))) {
            List<Instant> runs = new ArrayList<>();
            for (int day = 3; day >= 0; day--) {
                runs.add(NOW.minus(Duration.ofDays(day)).minus(Duration.ofHours(6)));
                runs.add(NOW.minus(Duration.ofDays(day)).minus(Duration.ofHours(3)));
            }
            for (Instant t : runs) {
                putRun(dest, "orders", "orders", t, "sqlite");
                putRun(dest, "orders", "orders", t, "tar");
            }
            // foreign things in the same prefix
            putRaw(dest, "orders/README.txt", "not ours");
            putRaw(dest, "orders/notes.zst.gpg", "not ours either");
            Instant old = NOW.minus(Duration.ofDays(30));
            String otherJobsArtifact = putRun(dest, "orders", "billing", old, "sql");
            // an orphan of ours, old (swept) and a young one (an upload between rename and manifest: kept)
            String oldOrphan = "orders/orders-" + TS.format(NOW.minus(Duration.ofDays(2))) + ".pgdump.zst.gpg";
            putRaw(dest, oldOrphan, "artifact whose manifest never came");
            String youngOrphan = "orders/orders-" + TS.format(NOW.minus(Duration.ofMinutes(5))) + ".pgdump.zst.gpg";
            putRaw(dest, youngOrphan, "being committed right now");

            RetentionPolicy policy = RetentionPolicy.parse(Map.of("keep-daily", "3", "time-zone", "UTC"));
            RetentionService service = new RetentionService(n -> dest, catalog, Duration.ofHours(6), Clock.fixed(NOW, ZoneOffset.UTC));

            RetentionRun preview = service.run("orders", name, policy, true);
            assertThat(preview.kept()).isEqualTo(3);
            assertThat(preview.removed()).isEqualTo(5);
            assertThat(preview.removedKeys()).isEmpty();
            assertThat(dest.list("orders/")).hasSize(8 * 4 + 2 + 2 + 2);

            RetentionRun done = service.run("orders", name, policy, false);
            assertThat(done.decisions().stream().filter(RetentionRun.RunDecision::keep).map(RetentionRun.RunDecision::reasons))
                    .allSatisfy(r -> assertThat(r).anyMatch(s -> s.contains("daily")));
            List<String> left = dest.list("orders/");
            List<String> expected = new ArrayList<>(List.of("orders/README.txt", "orders/notes.zst.gpg", youngOrphan,
                    otherJobsArtifact, otherJobsArtifact + Manifest.SUFFIX));
            for (Instant t : runs.subList(runs.size() - 6, runs.size())) {
                if (runs.indexOf(t) % 2 == 1) { // the newest run of each of the last 3 days
                    for (String k : List.of("sqlite", "tar")) {
                        String key = "orders/orders-" + TS.format(t) + "." + k + ".zst.gpg";
                        expected.add(key);
                        expected.add(key + Manifest.SUFFIX);
                    }
                }
            }
            assertThat(left).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(done.orphans()).containsExactly(oldOrphan);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void latestRunFailedBlocksPruningAndNewestGoodIsAlwaysKept(String kind) throws Exception {
        String name = kind + "-failed";
        try (Destination dest = destination(kind, name); SqliteRunCatalog catalog = new SqliteRunCatalog(tmp.resolve(name + ".db"))) {
            for (int i = 3; i >= 1; i--) {
                putRun(dest, "orders", "orders", NOW.minus(Duration.ofDays(40L * i)), "sqlite");
            }
            catalog.save(new RunRecord("orders-x-1", "orders", "test", RunStatus.FAILED, NOW.minusSeconds(60), NOW, 0, 0, List.of(), "boom"));
            RetentionService service = new RetentionService(n -> dest, catalog, Duration.ofHours(6), Clock.fixed(NOW, ZoneOffset.UTC));
            RetentionPolicy within = RetentionPolicy.parse(Map.of("keep-within", "1d"));

            RetentionRun blocked = service.run("orders", name, within, false);
            assertThat(blocked.removed()).isZero();
            assertThat(blocked.decisions()).allSatisfy(d -> assertThat(d.reasons()).contains(SafetyRails.PRUNING_SKIPPED));

            catalog.save(new RunRecord("orders-x-2", "orders", "test", RunStatus.SUCCESS, NOW.minusSeconds(30), NOW, 0, 0, List.of(), null));
            RetentionRun pruned = service.run("orders", name, within, false);
            assertThat(pruned.kept()).isEqualTo(1);
            assertThat(pruned.decisions().get(0).keep()).isTrue();
            assertThat(pruned.decisions().get(0).time()).isEqualTo(NOW.minus(Duration.ofDays(40)).toString());
            assertThat(dest.list("orders/")).hasSize(2);
        }
    }

    /** Puts one artifact of a run and its manifest (manifest last); returns the artifact key. */
    private String putRun(Destination dest, String prefixJob, String manifestJob, Instant time, String kind) throws Exception {
        String file = prefixJob + "-" + TS.format(time) + "." + kind + ".zst.gpg";
        String key = prefixJob + "/" + file;
        putRaw(dest, key, "ciphertext of " + file);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, manifestJob, manifestJob + "-" + TS.format(time) + "-abcd", file,
                "sqlite", kind, null, time, time.plusSeconds(5), 10, "00", 20, "11", Map.of("algorithm", "zstd"),
                Map.of("algorithm", "openpgp"), Map.of(), Map.of("backroute", "test"), "gpg --decrypt " + file);
        Path mf = Files.createTempFile(tmp, "manifest", ".json");
        try (OutputStream out = Files.newOutputStream(mf)) {
            ManifestJson.write(m, out);
        }
        dest.put(mf, key + Manifest.SUFFIX);
        return key;
    }

    private void putRaw(Destination dest, String key, String content) throws Exception {
        Path f = Files.createTempFile(tmp, "obj", ".bin");
        Files.writeString(f, content);
        dest.put(f, key);
    }
}
