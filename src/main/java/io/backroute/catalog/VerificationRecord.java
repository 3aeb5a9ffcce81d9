package io.backroute.catalog;

import java.time.Instant;
import java.util.Locale;

/**
 * One check of one artifact at one destination, as stored in the catalog: by {@code verify} (with or without the
 * private key) or by a restore drill.
 *
 * @param job         job id
 * @param destination the destination the artifact was read from
 * @param artifact    artifact key, e.g. {@code orders/orders-20261123T070000Z.pgdump.zst.gpg}
 * @param runId       the run that made the artifact (from its manifest)
 * @param time        when the check finished
 * @param level       how deep it went
 * @param ok          true when the artifact passed
 * @param by          what checked it: {@code verify} or {@code drill <drill id>}
 * @param detail      why it failed (one line, no secret), null when it passed
 */
public record VerificationRecord(String job, String destination, String artifact, String runId, Instant time,
                                 Level level, boolean ok, String by, String detail) {

    /** How deep a verification went. */
    public enum Level {
        /** Stored size and SHA-256 against the manifest; no key needed. */
        STORED_HASH,
        /** Decrypted and decompressed: OpenPGP MDC, plain size and SHA-256, and the dump format (or a restore). */
        FULL;

        /** The word shown by {@code list}: {@code stored-hash} or {@code full}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Level fromLabel(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** OK or FAILED. */
    public String result() {
        return ok ? "OK" : "FAILED";
    }
}
