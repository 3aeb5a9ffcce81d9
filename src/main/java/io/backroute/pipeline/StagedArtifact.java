package io.backroute.pipeline;

import io.backroute.catalog.Manifest;
import java.nio.file.Path;

/**
 * One artifact written to the staging directory (already compressed and encrypted), with its manifest
 * and the manifest's JSON staged beside it.
 *
 * @param key          destination key, {@code <job>/<job>-<ts>[.label].<kind>.zst.gpg}
 * @param file         the staged ciphertext
 * @param manifestFile the staged manifest JSON
 * @param manifest     the manifest
 */
public record StagedArtifact(String key, Path file, Path manifestFile, Manifest manifest) {

    public String manifestKey() { return key + Manifest.SUFFIX; }
}
