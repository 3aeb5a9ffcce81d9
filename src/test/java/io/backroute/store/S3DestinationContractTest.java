package io.backroute.store;

import io.backroute.testsupport.S3TestServer;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;

/** The S3 destination (camel-aws2-s3 multipart upload + AWS SDK) meets the Destination contract against S3Proxy. */
class S3DestinationContractTest extends DestinationContract {

    S3TestServer server;

    @Override
    protected void startServer() throws Exception {
        server = new S3TestServer();
    }

    @Override
    protected void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected Destination newDestination() {
        return new S3Destination("s3-primary", server.options(), camel);
    }

    private S3Destination s3() {
        return (S3Destination) destination;
    }

    @Override
    protected void plantStaleTemp(String key) {
        var client = s3().client();
        String id = client.createMultipartUpload(b -> b.bucket(S3TestServer.BUCKET).key(key)).uploadId();
        client.uploadPart(b -> b.bucket(S3TestServer.BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromString("half an upload"));
    }

    @Override
    protected boolean tempExists(String key) {
        return s3().client().listMultipartUploads(b -> b.bucket(S3TestServer.BUCKET).prefix(key)).uploads().stream()
                .anyMatch(u -> u.key().equals(key));
    }

    @Override
    protected String tempName() {
        return "";
    }

    @Override
    protected Optional<Path> backingFile(String key) {
        return Optional.of(server.blobFile(key));
    }
}
