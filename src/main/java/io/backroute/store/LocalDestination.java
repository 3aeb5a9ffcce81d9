package io.backroute.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local disk (or any mounted filesystem) destination. Uploads go through Camel's file component with a
 * {@code .part} temp name and an atomic rename, then the file and its directory are fsynced. When the staged
 * file lives on the same filesystem, the stored copy is a hard link to it instead (no second write of the bytes).
 */
public class LocalDestination implements Destination {

    private static final Logger LOG = LoggerFactory.getLogger(LocalDestination.class);

    private final String name;
    private final Path root;
    private final CamelContext camel;

    public LocalDestination(String name, Path root, CamelContext camel) {
        this.name = name;
        this.root = root.toAbsolutePath().normalize();
        this.camel = camel;
    }

    @Override public String name() { return name; }
    @Override public String kind() { return "local"; }
    @Override public String location() { return root.toString(); }

    public Path root() { return root; }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new DestinationException(name, "key escapes the destination root: " + key, true, null);
        }
        return p;
    }

    @Override
    public void put(Path file, String key) {
        Path target = resolve(key);
        if (Files.exists(target)) {
            throw new DestinationException(name, "refusing to overwrite existing " + key, true, null);
        }
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw translate("cannot create directory " + target.getParent(), e);
        }
        if (!Files.isWritable(target.getParent())) {
            throw new DestinationException(name, "directory not writable: " + target.getParent(), true, null);
        }
        if (!link(file, target)) {
            if (camel != null) {
                putWithCamel(file, target);
            } else {
                putDirect(file, target);
            }
        }
        fsync(target, false);
        fsync(target.getParent(), true);
    }

    /**
     * A staged file on the destination's own filesystem becomes the stored copy by a hard link instead of a byte
     * copy: the staged file is sealed (never written again) and only its staging name is deleted afterwards, so
     * the link is the same bytes at no I/O cost. Creating the link is atomic and never replaces an existing name.
     * Returns false (and the caller copies) when the filesystems differ or the filesystem has no hard links.
     */
    private boolean link(Path file, Path target) {
        try {
            if (!Files.getFileStore(file).equals(Files.getFileStore(target.getParent()))) {
                return false;
            }
            Files.createLink(target, file);
            return true;
        } catch (FileAlreadyExistsException e) {
            throw new DestinationException(name, "refusing to overwrite existing " + root.relativize(target), true, e);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("{}: no hard link from {} ({}), copying", name, file, e.toString());
            return false;
        }
    }

    private void putWithCamel(Path file, Path target) {
        String uri = "file:" + target.getParent() + "?fileExist=Fail&tempFileName=${file:onlyname}" + TEMP_SUFFIX
                + "&bufferSize=1048576";
        ProducerTemplate template = camel.createProducerTemplate();
        try {
            Exchange result = template.send(uri, ex -> {
                ex.getMessage().setBody(file.toFile());
                ex.getMessage().setHeader(Exchange.FILE_NAME, target.getFileName().toString());
            });
            if (result.getException() != null) {
                Exception e = result.getException();
                deleteQuietly(target.resolveSibling(target.getFileName() + TEMP_SUFFIX));
                throw translate("upload of " + root.relativize(target) + " failed", e);
            }
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // producer template cleanup only
            }
        }
    }

    private void putDirect(Path file, Path target) {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try {
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw translate("upload failed", e);
        }
    }

    private void fsync(Path p, boolean dir) {
        try (FileChannel ch = FileChannel.open(p, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!dir) {
                throw translate("fsync failed for " + p, e);
            }
            // some filesystems refuse fsync on directories; the file itself is synced
        }
    }

    @Override
    public OptionalLong stat(String key) {
        Path p = resolve(key);
        try {
            return Files.isRegularFile(p) ? OptionalLong.of(Files.size(p)) : OptionalLong.empty();
        } catch (IOException e) {
            throw translate("stat " + key, e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        Path dir = resolve(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> !k.endsWith(TEMP_SUFFIX))
                    .sorted()
                    .forEach(keys::add);
        } catch (IOException e) {
            throw translate("list " + prefix, e);
        }
        return keys;
    }

    @Override
    public InputStream open(String key) {
        try {
            return Files.newInputStream(resolve(key));
        } catch (IOException e) {
            throw translate("open " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(resolve(key));
        } catch (IOException e) {
            throw translate("delete " + key, e);
        }
    }

    @Override
    public List<String> sweepTemp(String prefix, Duration grace) {
        Path dir = resolve(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Instant cutoff = Instant.now().minus(grace);
        List<String> removed = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(TEMP_SUFFIX))::iterator) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                    removed.add(root.relativize(p).toString());
                }
            }
        } catch (IOException e) {
            throw translate("sweep " + prefix, e);
        }
        return removed;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; the next run's sweep removes it
        }
    }

    /**
     * Camel wraps the I/O error ("Cannot store file: ..."): the cause chain is kept in the message so "No space left
     * on device" shows. A full disk is permanent: a retry seconds later fills it again.
     */
    private DestinationException translate(String what, Exception e) {
        boolean permanent = false;
        StringBuilder msg = new StringBuilder();
        boolean full = false;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            permanent |= c instanceof AccessDeniedException || c instanceof NoSuchFileException
                    || c instanceof FileAlreadyExistsException;
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            full |= m.contains("No space left on device") || m.contains("Disk quota exceeded");
            if (msg.indexOf(m) < 0) {
                msg.append(msg.length() == 0 ? "" : " <- ").append(m);
            }
        }
        if (full) {
            return new DestinationException(name, "out of space at " + root + ": " + what + ": " + msg, true, e);
        }
        return new DestinationException(name, what + ": " + msg, permanent, e);
    }

    /** Provider for {@code kind=local}: option {@code path}. */
    public static class Provider implements DestinationProvider {
        @Override public String kind() { return "local"; }

        @Override
        public void validate(String name, java.util.Map<String, String> options, List<String> problems) {
            String path = options.get("path");
            if (path == null || path.isBlank()) {
                problems.add("backroute.destinations." + name + ".path: missing; set the directory backups are copied to");
                return;
            }
            Path p = Path.of(path).toAbsolutePath();
            Path existing = p;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
                problems.add("backroute.destinations." + name + ".path: " + p
                        + " is not a writable directory (nearest existing parent: " + existing + "); create it or fix permissions");
            }
        }

        @Override
        public Destination create(String name, java.util.Map<String, String> options, CamelContext camel) {
            return new LocalDestination(name, Path.of(options.get("path")), camel);
        }
    }
}
