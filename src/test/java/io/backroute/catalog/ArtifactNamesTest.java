package io.backroute.catalog;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves run ids and artifact/manifest keys follow the naming scheme, round trip through parse, and foreign names are rejected. */
class ArtifactNamesTest {

    private static final Instant T = Instant.parse("2025-01-02T03:04:05.987Z");

    @Test
    void runIdIsJobUtcStampAndFourLowercaseHexDigits() {
        String id = ArtifactNames.newRunId("orders-db", T, new SplittableRandom(1));
        assertThat(id).matches("orders-db-20250102T030405Z-[0-9a-f]{4}");
        assertThat(ArtifactNames.newRunId("orders-db", T, new Random(7)))
                .isEqualTo(ArtifactNames.newRunId("orders-db", T, new Random(7)));
        assertThatThrownBy(() -> ArtifactNames.newRunId("Orders", T, new Random()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Orders'");
    }

    @Test
    void jobIdsMustBeKebabCaseAndShort() {
        assertThat(ArtifactNames.isValidJobId("orders-db")).isTrue();
        assertThat(ArtifactNames.isValidJobId("db2")).isTrue();
        assertThat(ArtifactNames.isValidJobId("a".repeat(64))).isTrue();
        assertThat(ArtifactNames.isValidJobId("a".repeat(65))).isFalse();
        assertThat(ArtifactNames.isValidJobId("")).isFalse();
        assertThat(ArtifactNames.isValidJobId(null)).isFalse();
        assertThat(ArtifactNames.isValidJobId("Orders")).isFalse();
        assertThat(ArtifactNames.isValidJobId("orders_db")).isFalse();
        assertThat(ArtifactNames.isValidJobId("-orders")).isFalse();
        assertThat(ArtifactNames.isValidJobId("orders--db")).isFalse();
        assertThat(ArtifactNames.isValidJobId("orders-")).isFalse();
        assertThat(ArtifactNames.isValidJobId("../etc")).isFalse();
    }

    @Test
    void artifactKeyFollowsTheSchemeAndSanitizesTheLabel() {
        assertThat(ArtifactNames.artifactKey("orders-db", T, null, "pgdump", List.of("zst", "gpg")))
                .isEqualTo("orders-db/orders-db-20250102T030405Z.pgdump.zst.gpg");
        assertThat(ArtifactNames.artifactKey("files", T, "Etc/Nginx Conf", "tar", List.of("zst", "gpg")))
                .isEqualTo("files/files-20250102T030405Z.etc_nginx_conf.tar.zst.gpg");
        assertThat(ArtifactNames.artifactKey("files", T, "  ", "tar", List.of("gz")))
                .isEqualTo("files/files-20250102T030405Z.tar.gz");
        assertThat(ArtifactNames.manifestKey("orders-db/orders-db-20250102T030405Z.pgdump.zst.gpg"))
                .isEqualTo("orders-db/orders-db-20250102T030405Z.pgdump.zst.gpg.manifest.json");
    }

    @Test
    void artifactKeyRejectsBadKindsAndUnknownCodecs() {
        assertThatThrownBy(() -> ArtifactNames.artifactKey("db", T, null, "zst", List.of("gpg")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'zst'");
        assertThatThrownBy(() -> ArtifactNames.artifactKey("db", T, null, "sql", List.of("rar")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'rar'");
        assertThatThrownBy(() -> ArtifactNames.artifactKey("db", T, null, "SQL", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void artifactAndManifestKeysRoundTripThroughParse() {
        Instant second = Instant.parse("2025-01-02T03:04:05Z");
        String key = ArtifactNames.artifactKey("files", T, "etc", "tar", List.of("zst", "gpg"));
        assertThat(ArtifactNames.parse(key)).contains(new ArtifactNames.ParsedKey(
                "files", second, "etc", "tar", List.of("zst", "gpg"), false, key));
        assertThat(ArtifactNames.parse(ArtifactNames.manifestKey(key))).contains(new ArtifactNames.ParsedKey(
                "files", second, "etc", "tar", List.of("zst", "gpg"), true, key));

        String plain = ArtifactNames.artifactKey("orders-db", T, null, "pgdump", List.of("zst", "gpg"));
        assertThat(ArtifactNames.parse(plain)).hasValueSatisfying(p -> {
            assertThat(p.label()).isNull();
            assertThat(p.artifactKind()).isEqualTo("pgdump");
            assertThat(p.job()).isEqualTo("orders-db");
        });
        // the bare file name, as in a manifest's artifact field, is recognised too
        assertThat(ArtifactNames.parse("orders-db-20250102T030405Z.sql.zst.gpg")).map(ArtifactNames.ParsedKey::job)
                .contains("orders-db");
    }

    @Test
    void randomKeysRoundTrip() {
        Random rnd = new Random(42);
        String[] kinds = {"pgdump", "sql", "sqlite", "tar"};
        for (int i = 0; i < 1000; i++) {
            String job = "job-" + Integer.toString(rnd.nextInt(1000), 36) + (rnd.nextBoolean() ? "-x1" : "");
            Instant t = Instant.ofEpochSecond(rnd.nextInt(2_000_000_000));
            String label = rnd.nextBoolean() ? null : "l" + Integer.toString(rnd.nextInt(99999), 36) + (rnd.nextBoolean() ? "_a-b" : "");
            String kind = kinds[rnd.nextInt(kinds.length)];
            List<String> codecs = rnd.nextBoolean() ? List.of("zst", "gpg") : List.of("gz");
            String key = ArtifactNames.artifactKey(job, t, label, kind, codecs);
            assertThat(ArtifactNames.parse(key)).as(key)
                    .contains(new ArtifactNames.ParsedKey(job, t, label, kind, codecs, false, key));
        }
    }

    @Test
    void foreignAndTempNamesAreRejected() {
        List<String> foreign = List.of(
                "README.txt",
                "orders-db/notes.txt",
                "orders-db/orders-db-20250102T030405Z.sql.zst.gpg.part",
                "orders-db/orders-db-20250102T030405Z.sql.zst.gpg.manifest.json.part",
                "orders-db/orders-db-20250102T030405Z.sql.part",
                "wiki/orders-db-20250102T030405Z.sql.zst.gpg",             // directory is another job
                "x/orders-db/orders-db-20250102T030405Z.sql.zst.gpg",      // deeper than <job>/
                "orders-db/orders-db-20251302T030405Z.sql.zst.gpg",        // month 13
                "orders-db/orders-db-20250230T030405Z.sql.zst.gpg",        // 30 February
                "orders-db/orders-db-20250102T030405.sql.zst.gpg",         // no Z
                "orders-db/orders-db-20250102T030405Z.zst.gpg",            // no kind
                "orders-db/orders-db-20250102T030405Z.a.b.sql.zst.gpg",    // two labels
                "orders-db/orders-db-20250102T030405Z..sql.zst.gpg",
                "orders-db/orders-db-20250102T030405Z.SQL.zst.gpg",
                "orders-db/orders-db-20250102T030405Z.sql.zst.gpg.manifest.json.bak",
                "orders-db/orders-db-20250102T030405Z",
                "Orders/Orders-20250102T030405Z.sql.zst.gpg",
                "");
        for (String name : foreign) {
            assertThat(ArtifactNames.parse(name)).as(name).isEmpty();
        }
        assertThat(ArtifactNames.parse(null)).isEmpty();
    }

    @Test
    void tempNamesAreThoseEndingInPart() {
        assertThat(ArtifactNames.isTempName("orders-db/orders-db-20250102T030405Z.sql.zst.gpg.part")).isTrue();
        assertThat(ArtifactNames.isTempName("orders-db/orders-db-20250102T030405Z.sql.zst.gpg")).isFalse();
        assertThat(ArtifactNames.isTempName("orders-db/particle")).isFalse();
    }
}
