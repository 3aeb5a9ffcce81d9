package io.backroute.store;

import io.backroute.testsupport.SftpTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/** The SFTP destination (camel sftp upload with host key checking on + JSch) meets the Destination contract against MINA SSHD. */
class SftpDestinationContractTest extends DestinationContract {

    SftpTestServer server;

    @Override
    protected void startServer() throws Exception {
        server = new SftpTestServer();
        Files.createDirectories(server.root().resolve("backups"));
    }

    @Override
    protected void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected Destination newDestination() {
        return new SftpDestination.Provider().create("sftp-dr", server.options("backups"), camel);
    }

    private Path onServer(String key) {
        return server.root().resolve("backups").resolve(key);
    }

    @Override
    protected void plantStaleTemp(String key) throws Exception {
        Path temp = onServer(key + Destination.TEMP_SUFFIX);
        Files.createDirectories(temp.getParent());
        Files.writeString(temp, "half an upload");
        Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minusSeconds(7200)));
    }

    @Override
    protected boolean tempExists(String key) {
        return Files.exists(onServer(key + Destination.TEMP_SUFFIX));
    }

    @Override
    protected Optional<Path> backingFile(String key) {
        return Optional.of(onServer(key));
    }
}
