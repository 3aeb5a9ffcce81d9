package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The local destination meets the Destination contract. Its root shares the staged files' filesystem, so every
 * contract case runs through the hard-link path; {@link #aStagedFileOnAnotherFilesystemIsCopied} covers the copy
 * through Camel's file component.
 */
class LocalDestinationContractTest extends DestinationContract {

    private Path root;

    @Override
    protected void startServer() throws Exception {
        root = Files.createDirectories(work.resolve("root"));
    }

    @Override
    protected void stopServer() { }

    @Override
    protected Destination newDestination() {
        return new LocalDestination("nas", root, camel);
    }

    @Override
    protected void plantStaleTemp(String key) throws Exception {
        Path temp = root.resolve(key + Destination.TEMP_SUFFIX);
        Files.createDirectories(temp.getParent());
        Files.writeString(temp, "half an upload");
        Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minusSeconds(7200)));
    }

    @Override
    protected boolean tempExists(String key) {
        return Files.exists(root.resolve(key + Destination.TEMP_SUFFIX));
    }

    @Override
    protected Optional<Path> backingFile(String key) {
        return Optional.of(root.resolve(key));
    }

    @Test
    void aStagedFileOnTheSameFilesystemIsStoredAsAHardLinkThatOutlivesTheStagedName() throws Exception {
        Path staged = small("linked bytes");
        String key = prefix + "/" + prefix + "-20261123T080000Z.tar.zst.gpg";
        destination.put(staged, key);

        assertThat(Files.isSameFile(staged, root.resolve(key))).isTrue();
        assertThat(Files.getAttribute(root.resolve(key), "unix:nlink")).isEqualTo(2);
        Files.delete(staged);
        assertThat(root.resolve(key)).hasContent("linked bytes");
        assertThat(destination.stat(key)).hasValue("linked bytes".length());
        assertThatThrownBy(() -> destination.put(small("other bytes"), key))
                .isInstanceOf(DestinationException.class).hasMessageContaining("refusing to overwrite existing " + key);
        assertThat(root.resolve(key)).hasContent("linked bytes");
    }

    @Test
    void aStagedFileOnAnotherFilesystemIsCopied() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(root)), "needs a second filesystem at /dev/shm");
        Path elsewhere = Files.createTempDirectory(shm, "backroute-local-");
        try (Destination d = new LocalDestination("nas", elsewhere, camel)) {
            Path staged = small("copied bytes");
            String key = prefix + "/" + prefix + "-20261123T090000Z.tar.zst.gpg";
            d.put(staged, key);

            assertThat(Files.isSameFile(staged, elsewhere.resolve(key))).isFalse();
            assertThat(elsewhere.resolve(key)).hasContent("copied bytes");
            assertThat(elsewhere.resolve(key + Destination.TEMP_SUFFIX)).doesNotExist();
        } finally {
            try (var s = Files.walk(elsewhere)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
