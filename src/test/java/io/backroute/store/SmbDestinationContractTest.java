package io.backroute.store;

import io.backroute.testsupport.SambaTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/** The SMB destination (camel-smb upload + smbj) meets the Destination contract against a private smbd. */
class SmbDestinationContractTest extends DestinationContract {

    SambaTestServer server;

    @Override
    protected void startServer() throws Exception {
        server = new SambaTestServer();
        server.chownToUser(Files.createDirectories(server.shareDir().resolve("backups")));
    }

    @Override
    protected void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Destination newDestination() {
        return new SmbDestination.Provider().create("nas-smb", server.options("backups"), camel);
    }

    private Path onServer(String key) {
        return server.shareDir().resolve("backups").resolve(key);
    }

    @Override
    protected void plantStaleTemp(String key) throws Exception {
        Path temp = onServer(key + Destination.TEMP_SUFFIX);
        for (Path p = Files.createDirectories(temp.getParent()); !p.equals(server.shareDir()); p = p.getParent()) {
            server.chownToUser(p);
        }
        Files.writeString(temp, "half an upload");
        server.chownToUser(temp);
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
