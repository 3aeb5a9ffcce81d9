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

/** An in-process S3Proxy on a dynamic port over jclouds' filesystem blobstore, with one fixed access key. */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "backroute-test-access";
    public static final String SECRET_KEY = "backroute-test-Secret-9f3c";
    public static final String BUCKET = "backups";

    private final Path baseDir;
    private final BlobStoreContext context;
    private final S3Proxy proxy;

    public S3TestServer() throws Exception {
        baseDir = Files.createTempDirectory("s3proxy-");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(props)
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0")).build();
        proxy.start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "STARTED".equals(proxy.getState()));
    }

    public int port() {
        return proxy.getPort();
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
