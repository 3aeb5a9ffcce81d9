package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.testsupport.S3TestServer;
import io.backroute.testsupport.TestFiles;
import io.backroute.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** S3 uploads of one part are verified by ETag against md5sum of the staged file; a mismatch is a transient failure naming the key; multipart ETags are left to size and read-back. */
class S3ChecksumTest {

    static S3TestServer server;
    static CamelContext camel;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        server = new S3TestServer();
        camel = new DefaultCamelContext();
        camel.start();
        work = Files.createTempDirectory("s3-checksum-");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        camel.close();
    }

    @Test
    void singlePartUploadIsCheckedAgainstTheMd5OfTheStagedFile() throws Exception {
        Path file = TestFiles.random(work.resolve("one.bin"), 1024 * 1024, 11);
        Path other = TestFiles.random(work.resolve("other.bin"), 1024 * 1024, 12);
        try (S3Destination d = new S3Destination("s3-primary", server.options(), camel)) {
            d.put(file, "job/job-20261123T070000Z.sql.zst.gpg");

            String etag = d.client().headObject(b -> b.bucket(d.bucket()).key(d.objectKeyOf("job/job-20261123T070000Z.sql.zst.gpg"))).eTag();
            String md5sum = Tools.run(Map.of(), null, "md5sum", file.toString()).substring(0, 32);
            assertThat(etag.replace("\"", "")).as("the store's ETag is the MD5 the check relies on").isEqualTo(md5sum);
            assertThatCode(() -> d.checkEtag(file, "job/job-20261123T070000Z.sql.zst.gpg", etag)).doesNotThrowAnyException();
            assertThatThrownBy(() -> d.checkEtag(other, "job/job-20261123T070000Z.sql.zst.gpg", etag))
                    .isInstanceOfSatisfying(DestinationException.class, e -> {
                        assertThat(e.permanent()).isFalse();
                        assertThat(e.getMessage()).startsWith("s3-primary: ").contains("job/job-20261123T070000Z.sql.zst.gpg", "differs")
                                .doesNotContain(S3TestServer.SECRET_KEY);
                    });
        }
    }

    @Test
    void multipartEtagIsNotMistakenForAnMd5() throws Exception {
        Path file = TestFiles.random(work.resolve("mp.bin"), 4096, 13);
        try (S3Destination d = new S3Destination("s3-primary", server.options(), camel)) {
            assertThatCode(() -> d.checkEtag(file, "job/x", "\"9b2cf535f27731c974343645a3985328-3\"")).doesNotThrowAnyException();
        }
    }
}
