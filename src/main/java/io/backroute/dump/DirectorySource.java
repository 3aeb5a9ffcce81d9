package io.backroute.dump;

import io.backroute.BackupException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs up a directory tree as a POSIX tar stream (restorable with plain {@code tar -x}), never following symlinks or leaving the root.
 */
public final class DirectorySource implements Source {

    public static final String KIND = "directory";
    public static final String ARTIFACT_KIND = "tar";
    public static final String OPTION_PATH = "path";
    public static final String OPTION_INCLUDE = "include";
    public static final String OPTION_EXCLUDE = "exclude";
    public static final String OPTION_LABEL = "label";

    private static final Set<String> KNOWN = new LinkedHashSet<>(List.of(OPTION_PATH, OPTION_INCLUDE, OPTION_EXCLUDE, OPTION_LABEL));
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIR = 0040000;
    private static final int TYPE_LINK = 0120000;
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

    private final SourceOptions options;

    private DirectorySource(SourceOptions options) {
        this.options = options;
    }

    /** Keeps the options as given; problems are reported by {@link #validate(List)} and {@link #units()}, never here. */
    public static DirectorySource fromOptions(Map<String, String> options) {
        return new DirectorySource(new SourceOptions(KIND, options, KNOWN));
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The options as given (this source has no secret options). */
    public Map<String, String> options() {
        return options.asMap();
    }

    @Override
    public void validate(List<String> problems) {
        options.reportUnknown(problems);
        String path = options.get(OPTION_PATH);
        if (path == null) {
            problems.add("directory source: option 'path' is missing; set it to the root directory to back up");
        } else {
            Path root = Path.of(path);
            if (!Files.exists(root)) {
                problems.add("directory source: option 'path': directory " + root + " does not exist; point it at an existing directory");
            } else if (!Files.isDirectory(root)) {
                problems.add("directory source: option 'path': " + root + " is not a directory; point it at the root directory to back up");
            } else if (!Files.isReadable(root) || !Files.isExecutable(root)) {
                problems.add("directory source: option 'path': directory " + root + " is not readable by this process (user "
                        + System.getProperty("user.name") + "); grant read and execute permission");
            }
        }
        checkGlobs(OPTION_INCLUDE, problems);
        checkGlobs(OPTION_EXCLUDE, problems);
    }

    private void checkGlobs(String option, List<String> problems) {
        for (String glob : SourceOptions.splitGlobs(options.get(option))) {
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (IllegalArgumentException e) {
                problems.add("directory source: option '" + option + "': bad glob '" + glob + "' ("
                        + firstLine(e.getMessage()) + "); use java.nio glob syntax relative to the root, e.g. **/*.log");
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public List<DumpUnit> units() {
        List<String> problems = new ArrayList<>();
        validate(problems);
        if (!problems.isEmpty()) {
            throw new BackupException("dump", String.join("; ", problems));
        }
        return List.of(new Unit(Path.of(options.get(OPTION_PATH)).toAbsolutePath(),
                matchers(OPTION_INCLUDE), matchers(OPTION_EXCLUDE), options.get(OPTION_LABEL)));
    }

    private List<PathMatcher> matchers(String option) {
        List<PathMatcher> out = new ArrayList<>();
        for (String glob : SourceOptions.splitGlobs(options.get(option))) {
            out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
        return out;
    }

    /** One tar stream of the whole tree. */
    private static final class Unit implements DumpUnit {

        private final Path configuredRoot;
        private final List<PathMatcher> includes;
        private final List<PathMatcher> excludes;
        private final String label;
        private final Map<String, Object> details = new LinkedHashMap<>();

        private Path root;
        private long files;
        private long directories;
        private long symlinks;
        private long fileBytes;
        private long excluded;
        private long skippedSpecial;

        Unit(Path root, List<PathMatcher> includes, List<PathMatcher> excludes, String label) {
            this.configuredRoot = root;
            this.includes = includes;
            this.excludes = excludes;
            this.label = label;
            details.put("path", root.toString());
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public String artifactKind() {
            return ARTIFACT_KIND;
        }

        @Override
        public String sourceKind() {
            return KIND;
        }

        @Override
        public Map<String, Object> details() {
            return Collections.unmodifiableMap(details);
        }


        @Override
        public void writeTo(OutputStream out) throws IOException {
            long started = System.nanoTime();
            files = directories = symlinks = fileBytes = excluded = skippedSpecial = 0;
            // The root itself is followed once (a configured path may be a symlink to the data); nothing below it is.
            try {
                root = configuredRoot.toRealPath();
            } catch (NoSuchFileException e) {
                throw new BackupException("dump", "directory " + configuredRoot + " vanished before the backup started");
            }
            TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out), "UTF-8");
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            byte[] buffer = new byte[BUFFER_SIZE];
            walk(root, "", tar, new ArrayDeque<>(), buffer);
            // Only a complete walk gets the end-of-archive marker; on failure the stream is left unterminated.
            tar.finish();
            tar.close();
            details.put("fileCount", files);
            details.put("directoryCount", directories);
            details.put("symlinkCount", symlinks);
            details.put("fileBytes", fileBytes);
            details.put("excludedCount", excluded);
            details.put("skippedSpecialCount", skippedSpecial);
            LOG.info("directory dump of {}: {} files ({} bytes), {} directories, {} symlinks, {} excluded, {} special skipped, {} ms",
                    root, files, fileBytes, directories, symlinks, excluded, skippedSpecial, (System.nanoTime() - started) / 1_000_000);
        }

        /**
         * Writes the children of dir in sorted order. Directory entries are written lazily (pending) so that with
         * an include filter only directories leading to included entries appear, with their own mode and mtime.
         */
        private void walk(Path dir, String prefix, TarArchiveOutputStream tar, Deque<Pending> pending, byte[] buffer)
                throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    children.add(p);
                }
            } catch (NoSuchFileException e) {
                throw new BackupException("dump", "directory " + dir + " vanished during the backup of " + root);
            } catch (IOException e) {
                throw new BackupException("dump", "cannot list directory " + dir + ": " + e, e);
            }
            children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
            for (Path p : children) {
                String name = prefix + p.getFileName().toString();
                Path rel = root.relativize(p);
                if (matchesAny(excludes, rel)) {
                    excluded++;
                    continue;
                }
                Map<String, Object> attrs = attributes(p);
                int type = (Integer) attrs.get("mode") & TYPE_MASK;
                if (type == TYPE_DIR) {
                    Pending dirEntry = new Pending(name + "/", attrs);
                    pending.addLast(dirEntry);
                    if (includes.isEmpty() || matchesAny(includes, rel)) {
                        flush(pending, tar);
                    }
                    walk(p, name + "/", tar, pending, buffer);
                    if (!pending.isEmpty() && pending.peekLast() == dirEntry) {
                        pending.removeLast();
                        excluded++;
                    }
                    continue;
                }
                if (type != TYPE_FILE && type != TYPE_LINK) {
                    LOG.warn("skipping special file {} (fifo, socket or device) in the backup of {}", p, root);
                    skippedSpecial++;
                    continue;
                }
                if (!includes.isEmpty() && !matchesAny(includes, rel)) {
                    excluded++;
                    continue;
                }
                flush(pending, tar);
                if (type == TYPE_LINK) {
                    writeSymlink(p, name, attrs, tar);
                } else {
                    writeFile(p, name, attrs, tar, buffer);
                }
            }
        }

        private static boolean matchesAny(List<PathMatcher> matchers, Path rel) {
            for (PathMatcher m : matchers) {
                if (m.matches(rel)) {
                    return true;
                }
            }
            return false;
        }

        private Map<String, Object> attributes(Path p) {
            try {
                return Files.readAttributes(p, "unix:mode,uid,gid,owner,group,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                throw new BackupException("dump", "file " + p + " vanished during the backup of " + root
                        + "; the tar would be incomplete, run the backup again");
            } catch (IOException e) {
                throw new BackupException("dump", "cannot read the attributes of " + p + ": " + e, e);
            }
        }

        private void flush(Deque<Pending> pending, TarArchiveOutputStream tar) throws IOException {
            while (!pending.isEmpty()) {
                Pending d = pending.removeFirst();
                TarArchiveEntry e = new TarArchiveEntry(d.name, TarConstants.LF_DIR, true);
                describe(e, d.attrs, TYPE_DIR);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                directories++;
            }
        }

        private void writeSymlink(Path p, String name, Map<String, Object> attrs, TarArchiveOutputStream tar) throws IOException {
            String target;
            try {
                target = Files.readSymbolicLink(p).toString();
            } catch (NoSuchFileException e) {
                throw new BackupException("dump", "symlink " + p + " vanished during the backup of " + root);
            }
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            describe(e, attrs, TYPE_LINK);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            symlinks++;
        }

        private void writeFile(Path p, String name, Map<String, Object> attrs, TarArchiveOutputStream tar, byte[] buffer)
                throws IOException {
            long size = (Long) attrs.get("size");
            FileTime mtime = (FileTime) attrs.get("lastModifiedTime");
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            describe(e, attrs, TYPE_FILE);
            e.setSize(size);
            // NOFOLLOW_LINKS: if the file was swapped for a symlink since it was listed, opening fails instead of
            // reading whatever the link points to (possibly outside the root).
            SeekableByteChannel ch;
            try {
                ch = Files.newByteChannel(p, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            } catch (NoSuchFileException ex) {
                throw new BackupException("dump", "file " + p + " vanished during the backup of " + root
                        + "; the tar would be incomplete, run the backup again");
            } catch (IOException ex) {
                throw new BackupException("dump", "cannot open " + p + " for reading: " + ex, ex);
            }
            tar.putArchiveEntry(e);
            long copied = 0;
            try (InputStream in = Channels.newInputStream(ch)) {
                while (copied < size) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
                    if (n < 0) {
                        throw changed(p, "shrank from " + size + " to " + copied + " bytes");
                    }
                    tar.write(buffer, 0, n);
                    copied += n;
                }
                if (in.read() != -1) {
                    throw changed(p, "grew beyond " + size + " bytes");
                }
            }
            tar.closeArchiveEntry();
            Map<String, Object> after;
            try {
                after = Files.readAttributes(p, "unix:size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException ex) {
                throw new BackupException("dump", "file " + p + " vanished while being read during the backup of " + root
                        + "; the tar would not match the tree, run the backup again");
            }
            if ((Long) after.get("size") != size || !mtime.equals(after.get("lastModifiedTime"))) {
                throw changed(p, "was modified (size " + size + " -> " + after.get("size") + ")");
            }
            files++;
            fileBytes += size;
        }

        private BackupException changed(Path p, String what) {
            return new BackupException("dump", "file " + p + " " + what + " while being read during the backup of " + root
                    + "; exclude files that are written during backups, or back them up with their own source");
        }

        private static void describe(TarArchiveEntry e, Map<String, Object> attrs, int type) {
            int mode = (Integer) attrs.get("mode");
            e.setMode(type | (mode & 07777));
            e.setModTime((FileTime) attrs.get("lastModifiedTime"));
            e.setUserId(((Integer) attrs.get("uid")).longValue());
            e.setGroupId(((Integer) attrs.get("gid")).longValue());
            e.setUserName(principalName((UserPrincipal) attrs.get("owner")));
            e.setGroupName(principalName((GroupPrincipal) attrs.get("group")));
        }

        // An id without a name resolves to its number as a string; leave the name empty so tar uses the id.
        private static String principalName(UserPrincipal p) {
            String n = p == null ? "" : p.getName();
            return n.chars().allMatch(Character::isDigit) ? "" : n;
        }
    }

    private record Pending(String name, Map<String, Object> attrs) {
    }

    /** Keeps {@link TarArchiveOutputStream#close()} from closing the caller's stream, which DumpUnit must not close. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
