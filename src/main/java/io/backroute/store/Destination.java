package io.backroute.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * A named place artifacts are copied to: local disk, SMB, S3, FTP/FTPS, SFTP.
 * <p>
 * Keys are relative, '/'-separated paths such as {@code demo/demo-20261123T070000Z.sqlite.zst.gpg}.
 * Obligations of every implementation (one contract test suite checks them against real servers):
 * <ul>
 *   <li>{@link #put}: the object becomes visible under {@code key} only when complete (temp name +
 *   rename, or multipart complete); on failure nothing is visible under {@code key} and temp names
 *   are removed when possible; an existing key is never overwritten (permanent error). Streams the file,
 *   never holding it in memory.</li>
 *   <li>{@link #stat}: size of a visible object, empty if absent.</li>
 *   <li>{@link #list}: every visible key below a prefix (recursive), excluding temp names; empty if the
 *   prefix does not exist.</li>
 *   <li>{@link #open}: streams an object; the caller closes it.</li>
 *   <li>{@link #delete}: removes one key; deleting an absent key is not an error.</li>
 *   <li>{@link #sweepTemp}: removes temp names of ours (see {@link #TEMP_SUFFIX}) below the prefix older
 *   than the grace period; returns the keys removed. Touches nothing else.</li>
 *   <li>Errors are {@link DestinationException}s naming the destination, marked permanent for auth,
 *   missing bucket/share/directory, permission denied; transient for I/O and connection errors. No secret
 *   appears in any message.</li>
 * </ul>
 */
public interface Destination extends AutoCloseable {

    /** Suffix of in-flight uploads: {@code <key>.part}. */
    String TEMP_SUFFIX = ".part";

    String name();

    /** local, smb, s3, ftp, ftps, sftp */
    String kind();

    /** A display form of where it points (URL without credentials). */
    String location();

    void put(Path file, String key);

    OptionalLong stat(String key);

    List<String> list(String prefix);

    InputStream open(String key);

    void delete(String key);

    List<String> sweepTemp(String prefix, Duration grace);

    @Override
    default void close() { }
}
