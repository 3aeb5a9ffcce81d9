package io.backroute.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Proves zstd-then-OpenPGP staged files decrypt with gpg 2.2 for every recipient and carry MDC and no compression packet. */
class OpenPgpEncryptionTest {

    private static final long SIZE = 8L * 1024 * 1024;

    @TempDir
    static Path dir;
    static GpgHome rsaHome;
    static GpgHome curveHome;
    static String rsaFpr;
    static String curveFpr;
    static Path rsaPublic;
    static Path curvePublic;

    @BeforeAll
    static void generateKeys() throws Exception {
        rsaHome = new GpgHome(dir.resolve("g-rsa"));
        rsaFpr = rsaHome.genKey("T <t@x>", "default", "default", "never");
        rsaPublic = rsaHome.exportPublic(rsaFpr, dir.resolve("rsa.asc"));
        curveHome = new GpgHome(dir.resolve("g-curve"));
        curveFpr = curveHome.genKey("C <c@x>", "future-default", "default", "never");
        curvePublic = curveHome.exportPublic(curveFpr, dir.resolve("curve.asc"));
    }

    @AfterAll
    static void stopAgents() throws Exception {
        rsaHome.close();
        curveHome.close();
    }

    @Test
    void stagedFileDecryptsWithGpgForAGpgGeneratedKey() throws Exception {
        OpenPgpEncryption encryption = OpenPgpEncryption.forKeyFiles(List.of(rsaPublic));
        Path staged = dir.resolve("rsa.sql.zst.gpg");
        String plainSha = stage(encryption, staged, 1);

        assertThat(decryptWithGpg(rsaHome, staged, "rsa")).isEqualTo(plainSha);
    }

    @Test
    void stagedFileDecryptsWithGpgForADemoKey() throws Exception {
        Path demoPublic = DemoKeys.ensure(dir.resolve("demo"));
        try (GpgHome demoHome = new GpgHome(dir.resolve("g-demo"))) {
            demoHome.importKey(demoPublic.resolveSibling(DemoKeys.SECRET_FILE));
            Path staged = dir.resolve("demo.sql.zst.gpg");
            String plainSha = stage(OpenPgpEncryption.forKeyFiles(List.of(demoPublic)), staged, 2);

            assertThat(decryptWithGpg(demoHome, staged, "demo")).isEqualTo(plainSha);
        }
    }

    @Test
    void eachOfTwoRecipientsAloneCanDecrypt() throws Exception {
        OpenPgpEncryption encryption = OpenPgpEncryption.forKeyFiles(List.of(rsaPublic, curvePublic));
        Path staged = dir.resolve("two.sql.zst.gpg");
        String plainSha = stage(encryption, staged, 3);

        // each home holds only its own secret key
        assertThat(decryptWithGpg(rsaHome, staged, "two-rsa")).isEqualTo(plainSha);
        assertThat(decryptWithGpg(curveHome, staged, "two-curve")).isEqualTo(plainSha);
        assertThat(encryption.describe()).isEqualTo(Map.of("algorithm", "openpgp", "cipher", "AES-256",
                "integrity", "MDC", "recipients", List.of(rsaFpr, curveFpr)));
        assertThat(encryption.extension()).isEqualTo("gpg");
        assertThat(encryption.role()).isEqualTo("encryption");
    }

    @Test
    void gpgListPacketsShowsMdcProtectionAes256AndNoCompressedPacket() throws Exception {
        Path staged = dir.resolve("packets.gpg");
        stage(OpenPgpEncryption.forKeyFiles(List.of(rsaPublic)), staged, 4);

        Proc.Result listing = rsaHome.gpg("--status-fd", "2", "--passphrase", "", "--list-packets", staged.toString()).ok();
        String packets = listing.stdout();

        assertThat(packets).contains(":pubkey enc packet:").contains(":encrypted data packet:").contains("mdc_method: 2")
                .contains(":literal data packet:").doesNotContain(":compressed packet:")
                .doesNotContain(":aead encrypted packet:");
        // DECRYPTION_INFO <mdc method> <cipher>: 2 = SHA-1 MDC, 9 = AES-256
        assertThat(listing.stderr()).contains("[GNUPG:] DECRYPTION_INFO 2 9");
    }

    /** Writes seeded data through zstd then OpenPGP to {@code staged}; returns the plain data's SHA-256. */
    private static String stage(OpenPgpEncryption encryption, Path staged, long seed) throws Exception {
        HashingOutputStream plain = new HashingOutputStream(
                Codecs.chain(List.of(Codecs.zstd(3, 0), encryption), Files.newOutputStream(staged)));
        try (plain) {
            TestData.write(plain, SIZE, seed);
        }
        assertThat(plain.count()).isEqualTo(SIZE);
        return plain.sha256Hex();
    }

    /** gpg --decrypt then zstd -d; returns sha256sum of the result. */
    private static String decryptWithGpg(GpgHome home, Path staged, String name) throws Exception {
        Path zst = dir.resolve(name + ".zst");
        Path plain = dir.resolve(name + ".plain");
        home.decrypt(staged, zst).ok();
        Proc.run("zstd", "-d", "-q", "-f", "-o", plain.toString(), zst.toString()).ok();
        return Proc.sha256sum(plain);
    }
}
