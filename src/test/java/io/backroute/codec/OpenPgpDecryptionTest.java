package io.backroute.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves streaming decryption reads gpg's and our own artifacts, and fails loudly on a wrong key, a wrong passphrase, corruption or truncation. */
class OpenPgpDecryptionTest {

    private static final long SIZE = 2L * 1024 * 1024;
    private static final String PASSPHRASE = "s3cret-Passphrase";

    @TempDir
    static Path dir;
    static GpgHome gpg;
    static String fpr;
    static String encryptionKeyId;
    static Path publicKey;
    static Path secretKey;
    static Path demoPublic;
    static Path demoSecret;
    static Path plain;

    @BeforeAll
    static void prepareKeysAndData() throws Exception {
        gpg = new GpgHome(dir.resolve("gnupg"));
        fpr = gpg.genKey("Dec <dec@x>", "future-default", "default", "never", PASSPHRASE);
        publicKey = gpg.exportPublic(fpr, dir.resolve("dec.asc"));
        secretKey = gpg.exportSecret(fpr, dir.resolve("dec-secret.asc"), PASSPHRASE);
        for (String line : gpg.gpg("--with-colons", "--list-keys", fpr).ok().stdout().split("\n")) {
            if (line.startsWith("sub:")) {
                encryptionKeyId = line.split(":")[4];
            }
        }
        demoPublic = DemoKeys.ensure(dir.resolve("demo"));
        demoSecret = demoPublic.resolveSibling(DemoKeys.SECRET_FILE);
        plain = dir.resolve("plain.sql");
        try (OutputStream out = Files.newOutputStream(plain)) {
            TestData.write(out, SIZE, 11);
        }
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    @Test
    void readsAFileEncryptedByGpgEncrypt() throws Exception {
        Path artifact = dir.resolve("by-gpg.gpg");
        gpg.gpg("--trust-model", "always", "--yes", "--output", artifact.toString(), "--encrypt", "-r", fpr, plain.toString()).ok();

        assertThat(decryptAll(artifact, secretKey, PASSPHRASE)).isEqualTo(Proc.sha256sum(plain));
    }

    @Test
    void readsAnArmoredFileEncryptedByGpg() throws Exception {
        Path artifact = dir.resolve("by-gpg.asc");
        gpg.gpg("--trust-model", "always", "--yes", "--armor", "--output", artifact.toString(), "--encrypt", "-r", fpr, plain.toString()).ok();

        assertThat(decryptAll(artifact, secretKey, PASSPHRASE)).isEqualTo(Proc.sha256sum(plain));
    }

    @Test
    void readsAFileFromOurOwnEncryptor() throws Exception {
        Path artifact = encryptWithUs(List.of(demoPublic, publicKey), "ours.gpg");

        assertThat(decryptAll(artifact, demoSecret, "")).isEqualTo(Proc.sha256sum(plain));
        assertThat(decryptAll(artifact, secretKey, PASSPHRASE)).isEqualTo(Proc.sha256sum(plain));
    }

    @Test
    void keyThatIsNotARecipientIsReportedWithTheRecipientKeyIds() throws Exception {
        Path artifact = encryptWithUs(List.of(publicKey), "not-for-demo.gpg");

        assertThatThrownBy(() -> decryptAll(artifact, demoSecret, ""))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("the artifact is encrypted to key IDs " + encryptionKeyId
                        + " and the key in " + demoSecret + " (key IDs ")
                .hasMessageEndingWith(") is not one of them");
    }

    @Test
    void wrongPassphraseIsReportedWithoutRevealingIt() throws Exception {
        Path artifact = encryptWithUs(List.of(publicKey), "wrong-pass.gpg");

        assertThatThrownBy(() -> decryptAll(artifact, secretKey, "not-it"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("wrong passphrase for secret key " + encryptionKeyId + " in " + secretKey)
                .hasMessageNotContaining("not-it");
        assertThatThrownBy(() -> decryptAll(artifact, secretKey, ""))
                .hasMessageStartingWith("wrong passphrase");
    }

    @Test
    void oneFlippedByteFailsTheIntegrityCheckAsItDoesForGpg() throws Exception {
        Path artifact = encryptWithUs(List.of(demoPublic), "flipped.gpg");
        try (RandomAccessFile f = new RandomAccessFile(artifact.toFile(), "rw")) {
            long pos = f.length() / 2 + 3;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x01);
        }

        assertThatThrownBy(() -> decryptAll(artifact, demoSecret, ""))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(OpenPgpDecryption.INTEGRITY_FAILED);
        try (GpgHome oracle = new GpgHome(dir.resolve("g-flip"))) {
            oracle.importKey(demoSecret);
            assertThat(oracle.decrypt(artifact, dir.resolve("flipped.out")).exit()).isNotZero();
        }
    }

    @Test
    void truncatedArtifactFailsInsteadOfEndingQuietly() throws Exception {
        Path artifact = encryptWithUs(List.of(demoPublic), "truncated.gpg");
        try (RandomAccessFile f = new RandomAccessFile(artifact.toFile(), "rw")) {
            f.setLength(f.length() - 1000);
        }

        assertThatThrownBy(() -> decryptAll(artifact, demoSecret, ""))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void artifactCutInsideItsHeaderIsReportedAsTruncated() throws Exception {
        Path artifact = encryptWithUs(List.of(demoPublic), "stub.gpg");
        try (RandomAccessFile f = new RandomAccessFile(artifact.toFile(), "rw")) {
            f.setLength(100);
        }

        assertThatThrownBy(() -> decryptAll(artifact, demoSecret, ""))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void plainFileIsNotAnOpenPgpMessage() throws Exception {
        Path text = Files.writeString(dir.resolve("plain.txt"), "hello, not encrypted\n");
        Path zst = dir.resolve("plain.sql.zst");
        Proc.run("zstd", "-q", "-f", "-o", zst.toString(), plain.toString()).ok();
        Path empty = Files.createFile(dir.resolve("empty.gpg"));

        assertThatThrownBy(() -> decryptAll(text, demoSecret, "")).hasMessageStartingWith("not an OpenPGP message");
        assertThatThrownBy(() -> decryptAll(zst, demoSecret, "")).hasMessageStartingWith("not an OpenPGP");
        assertThatThrownBy(() -> decryptAll(empty, demoSecret, "")).hasMessageStartingWith("not an OpenPGP message");
    }

    @Test
    void publicKeyGivenAsSecretKeyIsExplained() throws Exception {
        Path artifact = encryptWithUs(List.of(publicKey), "pub-as-secret.gpg");

        assertThatThrownBy(() -> decryptAll(artifact, publicKey, ""))
                .hasMessage("OpenPGP secret key file " + publicKey + " holds only a public key;"
                        + " decryption needs the secret key: gpg --armor --export-secret-keys ID");
    }

    private static Path encryptWithUs(List<Path> recipients, String name) throws Exception {
        Path artifact = dir.resolve(name);
        try (OutputStream out = OpenPgpEncryption.forKeyFiles(recipients).wrap(Files.newOutputStream(artifact));
             InputStream in = Files.newInputStream(plain)) {
            Codecs.copy(in, out);
        }
        return artifact;
    }

    /** Decrypts to the end (which runs the integrity check) and returns the SHA-256 of the plain content. */
    private static String decryptAll(Path artifact, Path secret, String passphrase) throws IOException {
        HashingInputStream hashed;
        try (InputStream in = OpenPgpDecryption.open(Files.newInputStream(artifact), secret, passphrase.toCharArray())) {
            hashed = new HashingInputStream(in);
            hashed.transferTo(OutputStream.nullOutputStream());
        }
        return hashed.sha256Hex();
    }
}
