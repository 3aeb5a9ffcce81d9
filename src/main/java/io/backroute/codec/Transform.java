package io.backroute.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * A streaming stage between the plain dump and the staging file: compression or encryption.
 * {@link #wrap(OutputStream)} returns a stream that transforms what is written to it into the given
 * stream; closing the returned stream finishes the transform (final frames, MDC) and closes the
 * underlying stream. No transform buffers more than a bounded window.
 */
public interface Transform {

    /** {@code compression} or {@code encryption}. */
    String role();

    /** File name extension this stage adds, without dot: {@code zst}, {@code gz}, {@code gpg}. */
    String extension();

    OutputStream wrap(OutputStream out) throws IOException;

    /** Manifest metadata: algorithm, level, recipient fingerprints. No secrets. */
    Map<String, Object> describe();
}
