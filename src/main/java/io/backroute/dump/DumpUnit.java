package io.backroute.dump;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * One plain dump stream a source produces in a run, which becomes one artifact.
 * <p>
 * {@link #writeTo(OutputStream)} streams the whole dump into {@code out} (never buffering it whole),
 * does not close {@code out}, and throws when the dump is incomplete or invalid (non-zero exit code,
 * failed integrity check, source vanished), so that a half dump is never committed.
 */
public interface DumpUnit {

    /** Optional label distinguishing several units of the same kind in one run (e.g. a database name); null if none. */
    String label();

    /** Artifact kind, the extension before the codecs: {@code pgdump}, {@code sql}, {@code sqlite}, {@code tar}. */
    String artifactKind();

    /** Source kind: {@code postgresql}, {@code mariadb}, {@code sqlite}, {@code directory}. */
    String sourceKind();

    /** Streams the plain dump into out. Must not close out. */
    void writeTo(OutputStream out) throws IOException;

    /**
     * Metadata for the manifest, filled in by preflight and by {@link #writeTo}: source version, tool
     * and version, databases, table counts. Read after writeTo returns. No secrets.
     */
    Map<String, Object> details();

}
