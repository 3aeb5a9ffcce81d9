package io.backroute.codec;

import io.backroute.BackupException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves recipient key files load with gpg's fingerprints and every unusable file is rejected with a message naming it. */
class OpenPgpKeysTest {

    @TempDir
    static Path dir;
    static GpgHome gpg;
    static String goodFpr;
    static Path goodArmored;

    @BeforeAll
    static void generateKeys() throws Exception {
        gpg = new GpgHome(dir.resolve("gnupg"));
        goodFpr = gpg.genKey("Good <good@x>", "future-default", "default", "never");
        goodArmored = gpg.exportPublic(goodFpr, dir.resolve("good.asc"));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    @Test
    void armoredPublicKeyLoadsWithTheFingerprintGpgPrints() {
        List<OpenPgpKeys.RecipientKey> keys = OpenPgpKeys.load(goodArmored);

        assertThat(keys).singleElement().satisfies(k -> {
            assertThat(k.fingerprint()).isEqualTo(goodFpr);
            assertThat(k.userId()).isEqualTo("Good <good@x>");
            assertThat(k.file()).isEqualTo(goodArmored);
            // future-default = ed25519 primary (sign) + cv25519 subkey (encrypt): the subkey is chosen
            assertThat(k.encryptionKey().isMasterKey()).isFalse();
        });
        assertThat(OpenPgpKeys.validate(List.of(goodArmored))).isEmpty();
    }

    @Test
    void binaryPublicKeyLoadsLikeTheArmoredOne() throws Exception {
        Path binary = gpg.exportPublicBinary(goodFpr, dir.resolve("good.gpg"));

        assertThat(OpenPgpKeys.load(binary)).singleElement()
                .extracting(OpenPgpKeys.RecipientKey::fingerprint).isEqualTo(goodFpr);
    }

    @Test
    void missingFileIsNamedInTheError() {
        Path missing = dir.resolve("nope.asc");
        assertThatThrownBy(() -> OpenPgpKeys.load(missing))
                .isInstanceOf(BackupException.class)
                .hasMessage("OpenPGP key file " + missing + " does not exist");
    }

    @Test
    void textFileIsNotAnOpenPgpKey() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are not the keys you are looking for\n");
        assertThatThrownBy(() -> OpenPgpKeys.load(text))
                .isInstanceOf(BackupException.class)
                .hasMessageStartingWith("OpenPGP key file " + text + " is not an OpenPGP key")
                .hasMessageContaining("gpg --armor --export ID");
    }

    @Test
    void directoryIsNotAKeyFile() {
        assertThatThrownBy(() -> OpenPgpKeys.load(dir))
                .hasMessage("OpenPGP key file " + dir + " is not a regular file");
    }

    @Test
    void privateKeyIsRefusedAsRecipientWithTheExportCommand() throws Exception {
        Path secret = gpg.exportSecret(goodFpr, dir.resolve("secret.asc"), "");
        assertThatThrownBy(() -> OpenPgpKeys.load(secret))
                .isInstanceOf(BackupException.class)
                .hasMessage("OpenPGP key file " + secret + " holds a private key; a recipient must be a public key:"
                        + " export it with gpg --armor --export ID");
    }

    @Test
    void signOnlyKeyHasNoUsableEncryptionKey() throws Exception {
        String fpr = gpg.genKey("Signer <sign@x>", "ed25519", "sign", "never");
        Path file = gpg.exportPublic(fpr, dir.resolve("sign-only.asc"));

        assertThatThrownBy(() -> OpenPgpKeys.load(file))
                .isInstanceOf(BackupException.class)
                .hasMessageStartingWith("OpenPGP key file " + file + ": key " + fpr + " (Signer <sign@x>)"
                        + " has no usable encryption (sub)key (primary key is sign-only)");
    }

    @Test
    void expiredKeyIsRefused() throws Exception {
        gpg.gpg("--faked-system-time", "20200101T000000", "--passphrase", "",
                "--quick-gen-key", "Old <old@x>", "future-default", "default", "2020-01-02").ok();
        String fpr = gpg.fingerprint("Old <old@x>");
        Path file = gpg.exportPublic(fpr, dir.resolve("expired.asc"));

        assertThatThrownBy(() -> OpenPgpKeys.load(file))
                .hasMessageContaining(fpr)
                .hasMessageContaining("expired on 2020-01-02");
    }

    @Test
    void revokedKeyIsRefused() throws Exception {
        String fpr = gpg.genKey("Revoked <rev@x>", "future-default", "default", "never");
        // gpg guards its pre-made revocation certificate with a leading colon; removing it arms the certificate
        String cert = Files.readString(gpg.dir.resolve("openpgp-revocs.d").resolve(fpr + ".rev"))
                .replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
        gpg.importKey(Files.writeString(dir.resolve("revocation.asc"), cert));
        Path file = gpg.exportPublic(fpr, dir.resolve("revoked.asc"));

        assertThatThrownBy(() -> OpenPgpKeys.load(file))
                .hasMessage("OpenPGP key file " + file + ": key " + fpr + " (Revoked <rev@x>) is revoked; it cannot be a recipient");
    }

    @Test
    void validateCollectsEveryProblemInsteadOfStoppingAtTheFirst() throws Exception {
        Path missing = dir.resolve("missing.asc");
        Path text = Files.writeString(dir.resolve("junk.txt"), "junk");

        List<String> problems = OpenPgpKeys.validate(List.of(missing, goodArmored, text));

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains(missing.toString()).contains("does not exist");
        assertThat(problems.get(1)).contains(text.toString()).contains("is not an OpenPGP key");
        assertThat(OpenPgpKeys.validate(List.of())).containsExactly("no OpenPGP recipient key file given");
    }
}
