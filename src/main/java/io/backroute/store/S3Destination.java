package io.backroute.store;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 (or S3-compatible) destination: uploads through camel-aws2-s3 as a multipart upload, which makes the object
 * visible only once complete; lists, reads, deletes and aborts leftovers with the AWS SDK.
 * <p>
 * Options ({@code backroute.destinations.<name>.<option>}):
 * {@code bucket} (required); {@code prefix} (key prefix inside the bucket, default none);
 * {@code region} (default us-east-1); {@code endpoint} (URL of an S3-compatible service, e.g. MinIO; sets
 * endpoint override); {@code forcePathStyle} (true/false, default false; true for most S3-compatible services);
 * {@code accessKey} and {@code secretKey} (secret; when both are absent the AWS default credentials chain is used);
 * {@code storageClass} (e.g. STANDARD_IA, GLACIER_IR); {@code serverSideEncryption} (AES256 or aws:kms);
 * {@code sseKmsKeyId} (KMS key for aws:kms); {@code partSize} (minimum multipart part size in bytes, default
 * 16777216: fewer parts cost S3-compatible servers less CPU, bench/FANOUT.md; raised per artifact so no upload
 * needs more than 10,000 parts). A part is streamed from the staged file, never held in memory.
 * <p>
 * Verification after upload: the stored size always; for objects up to the part size (one PUT) also the ETag
 * against the staged file's MD5 (not with aws:kms, whose ETags are not MD5s); for multipart objects size plus the
 * optional full read-back ({@code verify=full}), since their ETag is an MD5 of part MD5s that would cost another
 * full read of the staging file and ties the check to the part boundaries.
 */
public class S3Destination extends RemoteDestination {

    static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    private static final java.util.concurrent.atomic.AtomicLong INSTANCES = new java.util.concurrent.atomic.AtomicLong();

    private final String bucket;
    private final String prefix;
    private final S3Client s3;
    private final String clientRef;
    private final String location;
    private final long minPartSize;
    private final String uriExtras;
    private volatile boolean bucketChecked;
    private final boolean kms;
    private final CamelContext camel;
    private final Set<String> endpointUris = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public S3Destination(String name, Map<String, String> options, CamelContext camel) {
        super(name, camel);
        this.camel = camel;
        this.bucket = options.get("bucket").strip();
        this.prefix = Keys.dir(Keys.opt(options, "prefix", ""));
        this.minPartSize = Long.parseLong(Keys.opt(options, "partSize", String.valueOf(DEFAULT_PART_SIZE)));
        String region = Keys.opt(options, "region", "us-east-1");
        String endpoint = Keys.opt(options, "endpoint", null);
        String accessKey = Keys.opt(options, "accessKey", null);
        String secretKey = Keys.opt(options, "secretKey", null);
        secret(secretKey);

        S3ClientBuilder builder = S3Client.builder()
                // requests a delivery timeout can abort (Transfers)
                .httpClient(Transfers.httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.builder().build()))
                .region(Region.of(region))
                .forcePathStyle(Keys.flag(options, "forcePathStyle", false))
                // S3-compatible servers (S3Proxy, older MinIO) reject the SDK's streaming checksum trailers
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(accessKey != null && secretKey != null
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))
                        : DefaultCredentialsProvider.builder().build());
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        this.s3 = builder.build();
        // Camel uses the very same client, so checksum settings and credentials cannot drift apart
        this.clientRef = "backroute-s3-" + name + "-" + INSTANCES.incrementAndGet();
        camel.getRegistry().bind(clientRef, S3Client.class, s3);

        StringBuilder extras = new StringBuilder();
        String storageClass = Keys.opt(options, "storageClass", null);
        if (storageClass != null) {
            extras.append("&storageClass=").append(storageClass);
        }
        String sse = Keys.opt(options, "serverSideEncryption", null);
        this.kms = "aws:kms".equalsIgnoreCase(sse);
        if ("AES256".equalsIgnoreCase(sse)) {
            extras.append("&useSSES3=true");
        } else if ("aws:kms".equalsIgnoreCase(sse)) {
            extras.append("&useAwsKMS=true");
            String kms = Keys.opt(options, "sseKmsKeyId", null);
            if (kms != null) {
                extras.append("&awsKMSKeyId=").append(kms);
            }
        }
        this.uriExtras = extras.toString();
        this.location = "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }

    @Override public String kind() { return "s3"; }
    @Override public String location() { return location; }

    private String objectKey(String key) {
        return Keys.join(prefix, key);
    }

    @Override
    protected String uploadUri(String key, long size) {
        long part = S3PartSize.forSize(size, minPartSize);
        if (part > Integer.MAX_VALUE) {
            // camel-aws2-s3 holds partSize as an int; 2 GiB parts still cover 20 TB in 10,000 parts
            part = Integer.MAX_VALUE;
        }
        String uri = "aws2-s3://" + bucket + "?amazonS3Client=#" + clientRef + "&autoCreateBucket=false"
                + "&multiPartUpload=true&partSize=" + part + uriExtras;
        endpointUris.add(uri);
        return uri;
    }

    @Override
    protected void prepare(Message message, String key) {
        message.setHeader(AWS2S3Constants.KEY, objectKey(key));
    }

    @Override
    protected void checkRoot() {
        if (bucketChecked) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(bucket));
            bucketChecked = true;
        } catch (RuntimeException e) {
            if (e instanceof S3Exception s && s.statusCode() == 404) {
                throw new DestinationException(name, "bucket " + bucket + " does not exist", true, null);
            }
            throw translate("cannot access bucket " + bucket, e);
        }
    }

    @Override
    protected void cleanupFailedPut(String key) {
        String k = objectKey(key);
        // S3 (and S3Proxy) may refuse or undo an abort while a part of the upload is still arriving, e.g. one a
        // timeout cut on our side: as the S3 API reference advises, abort until no upload of the key is listed
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ABORT_ATTEMPTS; attempt++) {
            List<MultipartUpload> left = uploads(k).stream().filter(u -> u.key().equals(k)).toList();
            if (left.isEmpty()) {
                return;
            }
            try {
                left.forEach(this::abort);
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(ABORT_BACKOFF.toMillis() * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (last != null) {
            throw last;
        }
        if (!uploads(k).stream().filter(u -> u.key().equals(k)).toList().isEmpty()) {
            throw new DestinationException(name, "incomplete upload of " + k + " still listed after " + ABORT_ATTEMPTS
                    + " aborts", false, null);
        }
    }

    private static final int ABORT_ATTEMPTS = 3;
    private static final java.time.Duration ABORT_BACKOFF = java.time.Duration.ofMillis(200);

    private List<MultipartUpload> uploads(String keyPrefix) {
        List<MultipartUpload> all = new ArrayList<>();
        try {
            s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(keyPrefix)).uploads().forEach(all::add);
        } catch (RuntimeException e) {
            throw translate("listing incomplete uploads under " + keyPrefix, e);
        }
        return all;
    }

    private void abort(MultipartUpload u) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
        } catch (RuntimeException e) {
            if (!(e instanceof S3Exception s && s.statusCode() == 404)) {
                throw translate("aborting incomplete upload of " + u.key(), e);
            }
        }
    }

    /**
     * Compares the ETag of a single-part object with the local file's MD5 (S3 defines it so, except with SSE-KMS or
     * SSE-C). Multipart ETags are an MD5 of the part MD5s: checking them would re-read the whole staging file and
     * depend on the part boundaries, so large objects rely on size plus the optional full read-back instead.
     */
    @Override
    protected void verifyStored(java.nio.file.Path file, String key, long size) {
        if (kms || size > minPartSize) {
            return;
        }
        String etag;
        try {
            etag = s3.headObject(b -> b.bucket(bucket).key(objectKey(key))).eTag();
        } catch (RuntimeException e) {
            throw translate("checksum of " + key, e);
        }
        checkEtag(file, key, etag);
    }

    /** Fails when {@code etag} is a plain MD5 (no part count) that differs from the MD5 of {@code file}. */
    void checkEtag(java.nio.file.Path file, String key, String etag) {
        String e = etag == null ? "" : etag.replace("\"", "").strip().toLowerCase(java.util.Locale.ROOT);
        if (!e.matches("[0-9a-f]{32}")) {
            return;
        }
        String md5;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            md5 = java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException ex) {
            throw new DestinationException(name, "cannot checksum local file " + file + ": " + ex, false, ex);
        }
        if (!md5.equals(e)) {
            throw new DestinationException(name, "checksum of " + key + " at the store (ETag " + e
                    + ") differs from the staged file's MD5 " + md5, false, null);
        }
    }

    @Override
    protected boolean isPermanent(Throwable t) {
        S3Exception s = find(t, S3Exception.class);
        if (s != null) {
            String code = s.awsErrorDetails() == null ? "" : String.valueOf(s.awsErrorDetails().errorCode());
            return s.statusCode() == 403 || s.statusCode() == 401 || s.statusCode() == 400 && !code.equals("RequestTimeout")
                    || Set.of("NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied").contains(code);
        }
        SdkClientException c = find(t, SdkClientException.class);
        if (c != null && anyMessage(c, "Unable to load credentials")) {
            return true;
        }
        return false;
    }

    @Override
    public OptionalLong stat(String key) {
        Keys.check(name, key);
        try {
            return OptionalLong.of(s3.headObject(b -> b.bucket(bucket).key(objectKey(key))).contentLength());
        } catch (NoSuchKeyException e) {
            return OptionalLong.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                // HEAD has no error body: a missing bucket looks like a missing key until checkRoot says otherwise
                return OptionalLong.empty();
            }
            throw translate("stat " + key, e);
        } catch (RuntimeException e) {
            throw translate("stat " + key, e);
        }
    }

    @Override
    public List<String> list(String prefixOfKeys) {
        String dir = Keys.dir(prefixOfKeys);
        String p = Keys.join(prefix, dir);
        String listPrefix = p.isEmpty() ? "" : p + "/";
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(listPrefix)).contents()) {
                String k = prefix.isEmpty() ? o.key() : o.key().substring(prefix.length() + 1);
                // some S3-compatible stores list directory markers ("a/b/") as objects
                if (!k.endsWith(TEMP_SUFFIX) && !k.endsWith("/")) {
                    keys.add(k);
                }
            }
        } catch (RuntimeException e) {
            throw translate("list " + prefixOfKeys, e);
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public InputStream open(String key) {
        Keys.check(name, key);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(objectKey(key)));
        } catch (RuntimeException e) {
            throw translate("open " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        Keys.check(name, key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(objectKey(key)));
        } catch (NoSuchKeyException e) {
            // absent is fine
        } catch (RuntimeException e) {
            throw translate("delete " + key, e);
        }
    }

    /** For S3 our temp state is an incomplete multipart upload: abort those initiated before now - grace. */
    @Override
    public List<String> sweepTemp(String prefixOfKeys, Duration grace) {
        String p = Keys.join(prefix, Keys.dir(prefixOfKeys));
        List<MultipartUpload> candidates = uploads(p);
        // cutoff taken after listing: an upload reported as initiated "now" is not younger than a zero grace
        Instant cutoff = Instant.now().minus(grace);
        List<String> removed = new ArrayList<>();
        for (MultipartUpload u : candidates) {
            if (u.initiated() != null && !u.initiated().isAfter(cutoff)) {
                abort(u);
                removed.add(prefix.isEmpty() ? u.key() : u.key().substring(prefix.length() + 1));
            }
        }
        return removed;
    }

    /** The SDK client, for tests and tools that need to look underneath the contract. */
    S3Client client() {
        return s3;
    }

    String objectKeyOf(String key) {
        return objectKey(key);
    }

    String bucket() {
        return bucket;
    }

    @Override
    public void close() {
        super.close();
        // endpoints hold our client: drop them with it, so a cached endpoint never uses a closed client
        for (String uri : endpointUris) {
            try {
                camel.removeEndpoint(camel.hasEndpoint(uri));
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(S3Destination.class).debug("{}: removing endpoint failed", name, e);
            }
        }
        camel.getRegistry().unbind(clientRef);
        s3.close();
    }

    /** Provider for {@code kind=s3}; see {@link S3Destination} for the options. */
    public static class Provider implements DestinationProvider {
        @Override public String kind() { return "s3"; }

        @Override
        public void validate(String name, Map<String, String> options, List<String> problems) {
            Keys.require(name, options, "bucket", "set the S3 bucket name", problems);
            boolean hasAccess = options.get("accessKey") != null && !options.get("accessKey").isBlank();
            boolean hasSecret = options.get("secretKey") != null && !options.get("secretKey").isBlank();
            if (hasAccess != hasSecret) {
                problems.add(Keys.key(name, hasAccess ? "secretKey" : "accessKey")
                        + ": missing; set both accessKey and secretKey, or neither to use the AWS default credentials chain");
            }
            Keys.bool(name, options, "forcePathStyle", problems);
            String endpoint = options.get("endpoint");
            if (endpoint != null && !endpoint.isBlank()) {
                try {
                    URI u = URI.create(endpoint.strip());
                    if (u.getScheme() == null || u.getHost() == null) {
                        problems.add(Keys.key(name, "endpoint") + ": " + endpoint + " is not a URL; use e.g. https://minio.example:9000");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(Keys.key(name, "endpoint") + ": " + endpoint + " is not a URL; use e.g. https://minio.example:9000");
                }
            }
            String sse = options.get("serverSideEncryption");
            if (sse != null && !sse.isBlank() && !sse.strip().equalsIgnoreCase("AES256") && !sse.strip().equalsIgnoreCase("aws:kms")) {
                problems.add(Keys.key(name, "serverSideEncryption") + ": " + sse + " is not supported; use AES256 or aws:kms");
            }
            String kms = options.get("sseKmsKeyId");
            if (kms != null && !kms.isBlank() && !"aws:kms".equalsIgnoreCase(Keys.opt(options, "serverSideEncryption", ""))) {
                problems.add(Keys.key(name, "sseKmsKeyId") + ": only used with serverSideEncryption=aws:kms; set that or remove the key id");
            }
            String part = options.get("partSize");
            if (part != null && !part.isBlank()) {
                try {
                    long v = Long.parseLong(part.strip());
                    if (v < S3PartSize.MIN || v > S3PartSize.MAX) {
                        problems.add(Keys.key(name, "partSize") + ": " + part + " is outside S3's 5242880..5368709120 bytes");
                    }
                } catch (NumberFormatException e) {
                    problems.add(Keys.key(name, "partSize") + ": " + part + " is not a number of bytes");
                }
            }
        }

        @Override
        public Destination create(String name, Map<String, String> options, CamelContext camel) {
            return new S3Destination(name, options, camel);
        }
    }
}
