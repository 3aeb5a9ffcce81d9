package io.backroute.catalog;

import io.backroute.BackupException;
import io.backroute.testing.Golden;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves manifests are written byte-stable (golden file), read back equal, and rejected with clear errors when malformed. */
class ManifestJsonTest {

    static Manifest sample() {
        // Insertion order deliberately unsorted: the writer must sort nested maps for stable bytes.
        Map<String, Object> encryption = new LinkedHashMap<>();
        encryption.put("recipients", List.of("0123456789ABCDEF0123456789ABCDEF01234567", "89ABCDEF0123456789ABCDEF0123456789ABCDEF"));
        encryption.put("cipher", "AES-256");
        encryption.put("algorithm", "openpgp");
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("serverVersion", "15.8");
        source.put("database", "orders");
        source.put("tables", Map.of("orders", 1200, "customers", 87));
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("pg_dump", "15.8");
        tools.put("backroute", "0.1.0");
        return new Manifest(1, "orders-db", "orders-db-20250102T030405Z-0a1b",
                "orders-db-20250102T030405Z.pgdump.zst.gpg", "postgresql", "pgdump", null,
                Instant.parse("2025-01-02T03:04:05.250Z"), Instant.parse("2025-01-02T03:05:10Z"),
                513_000_000L, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                71_234_567L, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                Map.of("level", 3, "algorithm", "zstd"), encryption, source, tools,
                "gpg --decrypt orders-db-20250102T030405Z.pgdump.zst.gpg | zstd -d | pg_restore -d orders");
    }

    private static byte[] write(Manifest m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ManifestJson.write(m, out);
        return out.toByteArray();
    }

    private static Manifest read(String json) {
        return ManifestJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "orders-db/x.manifest.json");
    }

    @Test
    void writtenManifestMatchesTheGoldenFileByteForByte() throws Exception {
        Golden.assertMatches("manifest-v1.json", write(sample()));
    }

    @Test
    void writingTwiceGivesIdenticalBytesWithUnixLineEndsAndFinalNewline() {
        byte[] first = write(sample());
        String text = new String(first, StandardCharsets.UTF_8);
        assertThat(write(sample())).isEqualTo(first);
        assertThat(text).doesNotContain("\r").endsWith("}\n").contains("\"started\": \"2025-01-02T03:04:05.250Z\"");
        // stable order of top-level fields follows the record
        assertThat(text.indexOf("\"formatVersion\"")).isLessThan(text.indexOf("\"job\""));
        assertThat(text.indexOf("\"storedSha256\"")).isLessThan(text.indexOf("\"compression\""));
        assertThat(text).doesNotContain("\"label\"");
    }

    @Test
    void readOfWriteEqualsTheOriginal() {
        Manifest m = sample();
        Manifest back = ManifestJson.read(new ByteArrayInputStream(write(m)), "sample");
        assertThat(back).isEqualTo(m);

        Manifest labelled = new Manifest(1, "files", "files-20250102T030405Z-ffff", "files-20250102T030405Z.etc.tar.zst.gpg",
                "directory", "tar", "etc", Instant.EPOCH, Instant.EPOCH.plusSeconds(1), 0, "00", 0, "11",
                null, null, null, null, null);
        assertThat(ManifestJson.read(new ByteArrayInputStream(write(labelled)), "labelled")).isEqualTo(labelled);
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String json = new String(write(sample()), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\n  \"verifiedBy\": {\"drill\": \"2025-02-01\"},\n  \"futureFlag\": true,");
        assertThat(read(json)).isEqualTo(sample());
    }

    @Test
    void missingFormatVersionIsRejectedNamingTheManifest() {
        String json = new String(write(sample()), StandardCharsets.UTF_8).replace("\"formatVersion\": 1,", "");
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("orders-db/x.manifest.json")
                .hasMessageContaining("missing required field 'formatVersion'");
    }

    @Test
    void unknownFormatVersionIsRejected() {
        String json = new String(write(sample()), StandardCharsets.UTF_8).replace("\"formatVersion\": 1,", "\"formatVersion\": 2,");
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("orders-db/x.manifest.json")
                .hasMessageContaining("unsupported formatVersion 2");
    }

    @Test
    void missingRequiredFieldIsNamed() {
        String json = new String(write(sample()), StandardCharsets.UTF_8)
                .replaceAll("\\s*\"storedSha256\": \"[0-9a-f]+\",", "");
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(BackupException.class)
                .hasMessage("invalid manifest orders-db/x.manifest.json: missing required field 'storedSha256'");
    }

    @Test
    void wrongTypesAndBadInstantsAreExplained() {
        String base = new String(write(sample()), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> read(base.replace("\"plainSize\": 513000000", "\"plainSize\": \"big\"")))
                .hasMessageContaining("field 'plainSize' must be a non-negative integer");
        assertThatThrownBy(() -> read(base.replace("2025-01-02T03:05:10Z", "yesterday")))
                .hasMessageContaining("field 'finished' is not an ISO-8601 UTC instant: yesterday");
    }

    @Test
    void nonJsonAndEmptyInputAreRejected() {
        assertThatThrownBy(() -> read("{\"formatVersion\": 1, "))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("orders-db/x.manifest.json").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> read(""))
                .isInstanceOf(BackupException.class).hasMessageContaining("empty document");
        assertThatThrownBy(() -> read("[1, 2]"))
                .isInstanceOf(BackupException.class).hasMessageContaining("expected a JSON object");
    }
}
