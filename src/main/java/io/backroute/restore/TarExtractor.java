package io.backroute.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts a tar stream into a directory, rejecting every entry that would land outside it: absolute names,
 * {@code ..}, links whose target leaves the directory, and writes through links that resolve outside.
 */
final class TarExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(TarExtractor.class);
    private static final int BUFFER = 1 << 16;

    private final Path root;
    private final Path realRoot;
    private long files;
    private long bytes;

    TarExtractor(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
    }

    long files() { return files; }
    long bytes() { return bytes; }

    /** Reads entries until the end-of-archive marker; the caller drains and verifies the rest of the stream. */
    void extract(InputStream in) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8");
        byte[] buf = new byte[BUFFER];
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName();
            Path target = resolveInside(name, "entry");
            if (target.equals(root)) {
                continue;
            }
            requireRealParentInside(target, name);
            if (e.isDirectory()) {
                Files.createDirectories(target);
                setMode(target, e.getMode() | 0700);
            } else if (e.isSymbolicLink()) {
                String link = e.getLinkName();
                Path linkPath = Path.of(link);
                if (linkPath.isAbsolute() || !target.getParent().resolve(linkPath).normalize().startsWith(root)) {
                    throw unsafe(name, "is a symlink to " + link + ", outside the restore directory");
                }
                Files.createSymbolicLink(target, linkPath);
            } else if (e.isLink()) {
                Path source = resolveInside(e.getLinkName(), "hard link target of entry " + name);
                requireRealParentInside(source, e.getLinkName());
                Files.createLink(target, source);
            } else if (e.isFile()) {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
                    int n;
                    while ((n = tar.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        bytes += n;
                    }
                }
                setMode(target, e.getMode());
                Files.setLastModifiedTime(target, FileTime.from(e.getLastModifiedDate().toInstant()));
                files++;
            } else {
                LOG.warn("tar entry {} is neither file, directory nor link (type {}); skipped", name, (char) e.getLinkFlag());
            }
        }
    }

    private Path resolveInside(String name, String what) {
        if (name.startsWith("/") || name.contains("\\")) {
            throw unsafe(name, "is an absolute or platform-specific path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw unsafe(name, "contains '..'");
            }
        }
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw unsafe(name, "resolves outside the restore directory (" + what + ")");
        }
        return p;
    }

    /** A symlink extracted earlier must not redirect later writes outside the directory. */
    private void requireRealParentInside(Path target, String name) throws IOException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(realRoot)) {
            throw unsafe(name, "would be written through a symlink leading outside the restore directory");
        }
    }

    private static void setMode(Path p, int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(order[i]);
            }
        }
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (IOException | UnsupportedOperationException ignored) {
            // non-POSIX filesystem: the default mode stays
        }
    }

    private static UnsafeEntryException unsafe(String name, String why) {
        return new UnsafeEntryException("unsafe tar entry '" + name + "': it " + why + "; nothing was restored");
    }

    /** An entry that would escape the restore directory. */
    static final class UnsafeEntryException extends RuntimeException {
        UnsafeEntryException(String m) {
            super(m);
        }
    }
}
