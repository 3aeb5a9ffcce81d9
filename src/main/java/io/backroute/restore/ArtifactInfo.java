package io.backroute.restore;

import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.Manifest;
import java.time.Instant;

/**
 * One artifact found at a destination through its manifest.
 *
 * @param destination destination name
 * @param key         artifact key, e.g. {@code demo/demo-20261123T070000Z.sqlite.zst.gpg}
 * @param parsed      the key as {@link ArtifactNames#parse} recognises it
 * @param manifest    the manifest beside it
 * @param present     false when the manifest exists but the artifact itself is missing
 */
public record ArtifactInfo(String destination, String key, ArtifactNames.ParsedKey parsed, Manifest manifest,
                           boolean present) {

    /** The run start as the manifest records it (the key holds it only to the second). */
    public Instant time() {
        return manifest.started() != null ? manifest.started() : parsed.time();
    }

    public String fileName() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** "artifact KEY at destination NAME", the prefix of every error about it. */
    public String describe() {
        return "artifact " + key + " at destination " + destination;
    }
}
