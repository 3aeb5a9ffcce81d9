package io.backroute.codec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** Proves the demo key pair is generated once, with safe file modes, in a form gpg 2.2 imports and can encrypt to. */
class DemoKeysTest {

    @TempDir
    static Path dir;
    static Path keys;
    static Path publicKey;

    @BeforeAll
    static void generate() throws Exception {
        keys = dir.resolve("keys");
        publicKey = DemoKeys.ensure(keys);
    }

    @Test
    void writesAnArmoredPublicKeyReadableByAllAndAnArmoredSecretKeyForTheOwnerOnly() throws Exception {
        Path secretKey = keys.resolve(DemoKeys.SECRET_FILE);

        assertThat(publicKey).isEqualTo(keys.resolve(DemoKeys.PUBLIC_FILE));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(publicKey))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secretKey))).isEqualTo("rw-------");
        assertThat(Files.readString(publicKey)).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        assertThat(Files.readString(secretKey)).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
        try (var files = Files.list(keys)) {
            assertThat(files).hasSize(2); // no temp files left behind
        }
    }

    @Test
    void secondCallGeneratesNothing() throws Exception {
        String before = Files.readString(publicKey);
        FileTime secretTime = Files.getLastModifiedTime(keys.resolve(DemoKeys.SECRET_FILE));

        assertThat(DemoKeys.ensure(keys)).isEqualTo(publicKey);
        assertThat(Files.readString(publicKey)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(keys.resolve(DemoKeys.SECRET_FILE))).isEqualTo(secretTime);
    }

    @Test
    void gpgSeesAnEd25519SignPrimaryAndACv25519EncryptionSubkeyWithTheDemoUserId() throws Exception {
        try (GpgHome gpg = new GpgHome(dir.resolve("gnupg"))) {
            gpg.importKey(keys.resolve(DemoKeys.SECRET_FILE));
            String colons = gpg.gpg("--with-colons", "--list-secret-keys").ok().stdout();

            // field 4 = algorithm (22 EdDSA, 18 ECDH), field 12 = capabilities, field 17 = curve
            assertThat(colons).containsPattern("(?m)^sec:[^:]*:255:22:([^:]*:){7}sc[^:]*:([^:]*:){4}ed25519:");
            assertThat(colons).containsPattern("(?m)^ssb:[^:]*:255:18:([^:]*:){7}e:([^:]*:){4}cv25519:");
            assertThat(colons).contains(DemoKeys.USER_ID.replace(":", "\\x3a"));
            assertThat(OpenPgpKeys.load(publicKey)).singleElement().satisfies(k -> {
                assertThat(k.userId()).isEqualTo(DemoKeys.USER_ID);
                assertThat(colons).contains("fpr:::::::::" + k.fingerprint() + ":");
            });
        }
    }
}
