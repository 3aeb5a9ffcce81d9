package io.backroute.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON document written beside every artifact, after the artifact is complete and verified:
 * {@code <artifact>.manifest.json}. Metadata only; never a secret. An artifact without a manifest
 * does not exist for retention, restore or freshness.
 *
 * @param formatVersion     manifest format version (1)
 * @param job               job id
 * @param runId             run id
 * @param artifact          artifact file name (no directory)
 * @param sourceKind        postgresql, mariadb, sqlite, directory
 * @param artifactKind      pgdump, sql, sqlite, tar
 * @param label             unit label or null
 * @param started           run start
 * @param finished          time the artifact was staged
 * @param plainSize         bytes of the plain dump
 * @param plainSha256       hex SHA-256 of the plain dump
 * @param storedSize        bytes of the artifact as stored
 * @param storedSha256      hex SHA-256 of the artifact as stored
 * @param compression       codec description, e.g. {algorithm: zstd, level: 3}
 * @param encryption        e.g. {algorithm: openpgp, cipher: AES-256, recipients: [fingerprints]}
 * @param source            source details: versions, databases, table counts
 * @param tools             tool name to version
 * @param restoreHint       the standard-tools command line that restores it
 */
public record Manifest(int formatVersion, String job, String runId, String artifact, String sourceKind,
                       String artifactKind, String label, Instant started, Instant finished,
                       long plainSize, String plainSha256, long storedSize, String storedSha256,
                       Map<String, Object> compression, Map<String, Object> encryption,
                       Map<String, Object> source, Map<String, String> tools, String restoreHint) {

    public static final int FORMAT_VERSION = 1;
    public static final String SUFFIX = ".manifest.json";
}
