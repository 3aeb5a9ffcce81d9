package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackupException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the directory source writes a tar that plain GNU tar extracts back into the same tree, honouring filters, symlinks and mid-run changes. */
class DirectorySourceTest {

    @TempDir
    Path tmp;

    private static final String LONG_NAME = "a-file-name-that-is-much-longer-than-the-one-hundred-bytes-a-ustar-header-holds-"
            + "so-it-needs-a-pax-header.txt";

    private Path buildTree() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.writeString(root.resolve("README.txt"), "hello\n");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path script = Files.writeString(bin.resolve("run.sh"), "#!/bin/sh\necho run\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Path secret = Files.writeString(root.resolve("private.key"), "not really a key\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path logs = Files.createDirectories(root.resolve("logs"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(logs.resolve("app.log"), "line 1\nline 2\n");
        Files.createFile(logs.resolve("empty.log"));
        Files.createDirectories(root.resolve("empty-dir"));
        Path deep = Files.createDirectories(root.resolve("deep/er/and-deeper/still-going-down-the-tree"));
        Files.writeString(deep.resolve(LONG_NAME), "long\n");
        Files.writeString(root.resolve("Ünïcödé-日本語-файл.txt"), "unicode ✓\n");
        byte[] random = new byte[200_000];
        new Random(42).nextBytes(random);
        Files.write(root.resolve("data.bin"), random);
        Files.createSymbolicLink(root.resolve("latest.log"), Path.of("logs/app.log"));
        Files.createSymbolicLink(root.resolve("logs-link"), Path.of("logs"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("does/not/exist"));
        Files.setLastModifiedTime(root.resolve("README.txt"), FileTime.from(Instant.parse("2021-03-04T05:06:07Z")));
        return root;
    }

    /** Everything tar must preserve, per relative path: type, mode, content hash or link target, mtime seconds. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                String rel = root.relativize(p).toString();
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + perms + " " + Files.getLastModifiedTime(p).toInstant().getEpochSecond());
                } else {
                    out.put(rel, "file " + perms + " " + Files.getLastModifiedTime(p).toInstant().getEpochSecond()
                            + " " + Tools.sha256(p));
                }
            }
        }
        return out;
    }

    private Path extract(Path tar) throws Exception {
        Path dest = Files.createTempDirectory(tmp, "extract-");
        Tools.run(tmp, "tar", "-x", "-p", "-f", tar.toString(), "-C", dest.toString());
        return dest;
    }

    private static DumpUnit unit(Map<String, String> options) {
        return DirectorySource.fromOptions(options).units().get(0);
    }

    private static List<String> problems(Map<String, String> options) {
        List<String> problems = new ArrayList<>();
        DirectorySource.fromOptions(options).validate(problems);
        return problems;
    }

    @Test
    void tarExtractedWithGnuTarEqualsTheSourceTree() throws Exception {
        Path root = buildTree();
        DumpUnit unit = unit(Map.of("path", root.toString(), "label", "home"));
        Path tar = Tools.writeUnit(unit, tmp.resolve("out.tar"));

        assertThat(snapshot(extract(tar))).isEqualTo(snapshot(root));
        assertThat(Tools.run(tmp, "tar", "-t", "-f", tar.toString()).lines())
                .contains("README.txt", "bin/", "logs/app.log", "empty-dir/", "Ünïcödé-日本語-файл.txt",
                        "deep/er/and-deeper/still-going-down-the-tree/" + LONG_NAME)
                .noneMatch(name -> name.startsWith("/") || name.startsWith("./"));
        assertThat(unit.details()).containsEntry("fileCount", 8L).containsEntry("directoryCount", 7L)
                .containsEntry("symlinkCount", 3L).containsEntry("excludedCount", 0L)
                .containsEntry("fileBytes", 200_000L + 6 + 19 + 17 + 14 + 5 + "unicode ✓\n".getBytes(StandardCharsets.UTF_8).length);
        assertThat(unit.label()).isEqualTo("home");
        assertThat(unit.artifactKind()).isEqualTo("tar");
        assertThat(unit.sourceKind()).isEqualTo("directory");
    }

    @Test
    void producesByteIdenticalTarsForAnUnchangedTree() throws Exception {
        Path root = buildTree();
        Path first = Tools.writeUnit(unit(Map.of("path", root.toString())), tmp.resolve("1.tar"));
        Path second = Tools.writeUnit(unit(Map.of("path", root.toString())), tmp.resolve("2.tar"));
        assertThat(Tools.sha256(first)).isEqualTo(Tools.sha256(second));
    }

    @Test
    void honoursIncludeAndExcludeGlobsWithExcludeWinning() throws Exception {
        Path root = buildTree();
        Files.writeString(root.resolve("logs/debug.log"), "noisy\n");
        DumpUnit unit = unit(Map.of("path", root.toString(),
                "include", "{*.txt,**/*.txt}, logs/*.log",
                "exclude", "logs/debug.log,deep/**"));
        Path tar = Tools.writeUnit(unit, tmp.resolve("out.tar"));

        assertThat(Tools.run(tmp, "tar", "-t", "-f", tar.toString()).lines()).containsExactly(
                "README.txt", "logs/", "logs/app.log", "logs/empty.log", "Ünïcödé-日本語-файл.txt");
        Path restored = extract(tar);
        assertThat(restored.resolve("logs/app.log")).hasSameTextualContentAs(root.resolve("logs/app.log"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(restored.resolve("logs"))))
                .as("an included file's directory keeps its own mode").isEqualTo("rwxr-x---");
        assertThat(unit.details()).containsEntry("fileCount", 4L).containsEntry("directoryCount", 1L);
        assertThat((Long) unit.details().get("excludedCount")).isPositive();
    }

    @Test
    void excludedDirectoryIsNotDescendedInto() throws Exception {
        Path root = buildTree();
        DumpUnit unit = unit(Map.of("path", root.toString(), "exclude", "deep,logs"));
        Path tar = Tools.writeUnit(unit, tmp.resolve("out.tar"));

        assertThat(Tools.run(tmp, "tar", "-t", "-f", tar.toString()).lines())
                .noneMatch(n -> n.startsWith("deep") || n.startsWith("logs/"))
                .contains("logs-link", "README.txt");
        assertThat(unit.details()).containsEntry("excludedCount", 2L);
    }

    @Test
    void storesASymlinkToADirectoryOutsideTheRootAsALinkWithoutItsTargetsContent() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "OUTSIDE-THE-ROOT-MARKER\n");
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.writeString(root.resolve("inside.txt"), "inside\n");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("escape-file"), outside.resolve("secret.txt"));

        DumpUnit unit = unit(Map.of("path", root.toString()));
        Path tar = Tools.writeUnit(unit, tmp.resolve("out.tar"));

        assertThat(Tools.run(tmp, "tar", "-t", "-f", tar.toString()).lines())
                .containsExactly("escape", "escape-file", "inside.txt");
        assertThat(Tools.run(tmp, "tar", "-t", "-v", "-f", tar.toString()))
                .contains("escape -> " + outside, "escape-file -> " + outside.resolve("secret.txt"));
        // Test-side check on a tiny tar: the marker must not appear anywhere in the archive bytes.
        assertThat(new String(Files.readAllBytes(tar), StandardCharsets.ISO_8859_1)).doesNotContain("OUTSIDE-THE-ROOT-MARKER");
        Path restored = extract(tar);
        assertThat(Files.isSymbolicLink(restored.resolve("escape"))).isTrue();
        assertThat(Files.readSymbolicLink(restored.resolve("escape"))).isEqualTo(outside);
        assertThat(unit.details()).containsEntry("symlinkCount", 2L).containsEntry("fileCount", 1L);
    }

    @Test
    void followsTheConfiguredRootWhenItIsItselfASymlink() throws Exception {
        Path real = buildTree();
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), real);
        Path tar = Tools.writeUnit(unit(Map.of("path", alias.toString())), tmp.resolve("out.tar"));
        assertThat(snapshot(extract(tar))).isEqualTo(snapshot(real));
    }

    @Test
    void skipsFifosWithoutBlocking() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "a\n");
        Tools.run(root, "mkfifo", "pipe");
        DumpUnit unit = unit(Map.of("path", root.toString()));
        Path tar = Tools.writeUnit(unit, tmp.resolve("out.tar"));

        assertThat(Tools.run(tmp, "tar", "-t", "-f", tar.toString()).lines()).containsExactly("a.txt");
        assertThat(unit.details()).containsEntry("skippedSpecialCount", 1L).containsEntry("fileCount", 1L);
    }

    @Test
    void failsNamingAFileDeletedBeforeItWasRead() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        Files.write(root.resolve("a-big.bin"), big);
        Path victim = Files.writeString(root.resolve("b-victim.txt"), "soon gone\n");
        DumpUnit unit = unit(Map.of("path", root.toString()));

        OutputStream out = afterBytes(OutputStream.nullOutputStream(), 256 * 1024, () -> Files.delete(victim));
        assertThatThrownBy(() -> unit.writeTo(out))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.stage()).isEqualTo("dump"))
                .hasMessageContaining(victim.toString())
                .hasMessageContaining("vanished");
    }

    @Test
    void failsNamingAFileThatGrowsWhileBeingRead() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        Path growing = Files.write(root.resolve("growing.log"), big);
        DumpUnit unit = unit(Map.of("path", root.toString()));

        OutputStream out = afterBytes(OutputStream.nullOutputStream(), 256 * 1024,
                () -> Files.writeString(growing, "appended\n", StandardOpenOption.APPEND));
        assertThatThrownBy(() -> unit.writeTo(out))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining(growing.toString())
                .hasMessageContaining("grew");
    }

    @Test
    void reportsMissingPathUnknownOptionAndBadGlobTogether() {
        assertThat(problems(Map.of("inclde", "*.txt", "exclude", "logs/[abc"))).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).contains("unknown option 'inclde'", "path, include, exclude, label"),
                p -> assertThat(p).contains("option 'path' is missing"),
                p -> assertThat(p).contains("option 'exclude'", "bad glob 'logs/[abc'"));
        assertThatThrownBy(() -> DirectorySource.fromOptions(Map.of()).units())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.stage()).isEqualTo("dump"))
                .hasMessageContaining("option 'path' is missing");
    }

    @Test
    void reportsAMissingRootAndARootThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        assertThat(problems(Map.of("path", tmp.resolve("absent").toString()))).singleElement().asString()
                .contains("option 'path'", "absent", "does not exist");
        assertThat(problems(Map.of("path", file.toString()))).singleElement().asString()
                .contains("option 'path'", "is not a directory");
    }

    @Test
    void splitsGlobListsOnCommasOutsideBracesAndClasses() {
        assertThat(SourceOptions.splitGlobs(" *.txt ,{a,b}/**,[,x]*, ")).containsExactly("*.txt", "{a,b}/**", "[,x]*");
    }

    /** Passes bytes through and runs action once, after threshold bytes: a deterministic "meanwhile" without sleeps. */
    private static OutputStream afterBytes(OutputStream target, long threshold, IoAction action) {
        return new FilterOutputStream(target) {
            private long count;
            private boolean done;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count += len;
                if (!done && count >= threshold) {
                    done = true;
                    try {
                        action.run();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
