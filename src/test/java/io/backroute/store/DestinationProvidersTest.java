package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each provider reports its kind and names every bad or missing option as backroute.destinations.<name>.<key>. */
class DestinationProvidersTest {

    private static List<String> problems(DestinationProvider p, Map<String, String> options) {
        List<String> problems = new ArrayList<>();
        p.validate("offsite", options, problems);
        return problems;
    }

    @Test
    void providersReportTheirKinds() {
        assertThat(List.of(new S3Destination.Provider(), new FtpDestination.Provider(), new FtpDestination.FtpsProvider(),
                new SftpDestination.Provider(), new SmbDestination.Provider()))
                .extracting(DestinationProvider::kind).containsExactly("s3", "ftp", "ftps", "sftp", "smb");
    }

    @Test
    void emptyOptionsNameEveryRequiredKey() {
        assertThat(problems(new S3Destination.Provider(), Map.of())).singleElement().asString()
                .startsWith("backroute.destinations.offsite.bucket: missing");
        assertThat(problems(new FtpDestination.Provider(), Map.of()))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.host:"))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.username:"))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.password:"));
        assertThat(problems(new SmbDestination.Provider(), Map.of()))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.share:"));
        assertThat(problems(new SftpDestination.Provider(), Map.of()))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.password:") && s.contains("privateKeyFile"));
    }

    @Test
    void invalidValuesAreReportedWithTheFix() {
        Map<String, String> s3 = new HashMap<>(Map.of("bucket", "b", "accessKey", "AK", "serverSideEncryption", "rot13",
                "partSize", "1024", "endpoint", "not a url"));
        assertThat(problems(new S3Destination.Provider(), s3))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.secretKey:"))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.serverSideEncryption:") && s.contains("AES256"))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.partSize:"))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.endpoint:"));
        assertThat(problems(new FtpDestination.FtpsProvider(),
                Map.of("host", "h", "username", "u", "password", "p", "port", "70000", "trustStore", "/no/such/file")))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.port:"))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.trustStore:"));
        assertThat(problems(new SftpDestination.Provider(), Map.of("host", "h", "username", "u", "password", "p",
                "strictHostKeyChecking", "maybe", "knownHostsFile", "/no/such/known_hosts")))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.strictHostKeyChecking:"));
        assertThat(problems(new SftpDestination.Provider(), Map.of("host", "h", "username", "u", "password", "p",
                "knownHostsFile", "/no/such/known_hosts")))
                .anyMatch(s -> s.startsWith("backroute.destinations.offsite.knownHostsFile:"));
    }

    @Test
    void validOptionsHaveNoProblems() {
        assertThat(problems(new S3Destination.Provider(), Map.of("bucket", "b", "region", "eu-west-1"))).isEmpty();
        assertThat(problems(new SmbDestination.Provider(),
                Map.of("host", "nas", "share", "backups", "username", "u", "password", "p"))).isEmpty();
    }
}
