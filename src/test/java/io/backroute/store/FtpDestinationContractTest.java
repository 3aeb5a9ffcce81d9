package io.backroute.store;

import io.backroute.testsupport.FtpTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/** The FTP destination (camel-ftp upload + commons-net) meets the Destination contract against Apache FtpServer. */
class FtpDestinationContractTest extends DestinationContract {

    protected FtpTestServer server;

    protected FtpTestServer newServer() throws Exception {
        return FtpTestServer.ftp();
    }

    @Override
    protected void startServer() throws Exception {
        server = newServer();
        Files.createDirectories(server.home().resolve("backups"));
    }

    @Override
    protected void stopServer() {
        server.close();
    }

    @Override
    protected Destination newDestination() {
        return new FtpDestination.Provider().create("ftp-nas", server.options("backups"), camel);
    }

    private Path onServer(String key) {
        return server.home().resolve("backups").resolve(key);
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
