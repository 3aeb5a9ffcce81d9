package io.backroute.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An in-process S3Proxy on a dynamic port over jclouds' filesystem blobstore, with one fixed access key;
 * {@link #onPart} sees each multipart part before it is stored (to slow the server down or stop it mid-upload) and
 * {@link #restart} brings it back on the same port with the same data.
 */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "backroute-test-access";
    public static final String SECRET_KEY = "backroute-test-Secret-9f3c";
    public static final String BUCKET = "backups";

    private final Path baseDir;
    private final BlobStoreContext context;
    private final org.jclouds.blobstore.BlobStore store;
    private S3Proxy proxy;
    private volatile java.util.function.IntConsumer partHook;

    public S3TestServer() throws Exception {
        baseDir = Files.createTempDirectory("s3proxy-");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(props)
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        store = new org.jclouds.blobstore.util.ForwardingBlobStore(context.getBlobStore()) {
            @Override
            public org.jclouds.blobstore.domain.MultipartPart uploadMultipartPart(org.jclouds.blobstore.domain.MultipartUpload mpu,
                    int partNumber, org.jclouds.io.Payload payload) {
                java.util.function.IntConsumer h = partHook;
                if (h != null) {
                    h.accept(partNumber);
                }
                return super.uploadMultipartPart(mpu, partNumber, payload);
            }
        };
        start(0);
    }

    private void start(int port) throws Exception {
        proxy = S3Proxy.builder().blobStore(store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:" + port)).build();
        proxy.start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "STARTED".equals(proxy.getState()));
    }

    /** Called with the part number before each multipart part is stored (the request body not yet read); null removes it. */
    public void onPart(java.util.function.IntConsumer hook) {
        partHook = hook;
    }

    /** Starts again on the same port over the same blobstore (after {@link #stop}). */
    public void restart() throws Exception {
        int port = port();
        stop();
        start(port);
    }

    private int lastPort;

    public int port() {
        int p = proxy.getPort();
        if (p > 0) {
            lastPort = p;
        }
        return p > 0 ? p : lastPort;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Where the blobstore keeps an object of {@link #BUCKET} on disk (the filesystem blobstore stores plain files). */
    public Path blobFile(String objectKey) {
        return baseDir.resolve(BUCKET).resolve(objectKey);
    }

    /** Destination options for the test bucket with the right credentials. */
    public Map<String, String> options() {
        Map<String, String> o = new HashMap<>();
        o.put("bucket", BUCKET);
        o.put("endpoint", endpoint());
        o.put("region", "us-east-1");
        o.put("forcePathStyle", "true");
        o.put("accessKey", ACCESS_KEY);
        o.put("secretKey", SECRET_KEY);
        return o;
    }

    /** An SDK client straight to the server (no proxy), to look at objects and incomplete uploads; the caller closes it. */
    public software.amazon.awssdk.services.s3.S3Client client() {
        return software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.builder().build())
                .build();
    }

    public void stop() throws Exception {
        if (!"STOPPED".equals(proxy.getState())) {
            proxy.stop();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        context.close();
    }
}
