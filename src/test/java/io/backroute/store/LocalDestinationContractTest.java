package io.backroute.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/** The local destination (Camel file component) meets the Destination contract. */
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
}
