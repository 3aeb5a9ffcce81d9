package io.backroute.codec;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Date;
import java.util.Set;

/** Creates a passphrase-less demo OpenPGP key pair (Ed25519 + Curve25519, usable by gpg 2.2) so the demo job can encrypt out of the box. */
public final class DemoKeys {

    public static final String PUBLIC_FILE = "demo-public.asc";
    public static final String SECRET_FILE = "demo-secret.asc";
    public static final String USER_ID = "Backroute demo (DEMO ONLY) <demo@backroute.invalid>";

    private static final Logger LOG = LoggerFactory.getLogger(DemoKeys.class);

    private DemoKeys() {
    }

    /**
     * Returns {@code dir/demo-public.asc}, generating the pair first if it is missing; a second call
     * generates nothing.
     */
    public static synchronized Path ensure(Path dir) throws IOException {
        Path pub = dir.resolve(PUBLIC_FILE);
        if (Files.exists(pub)) {
            return pub;
        }
        Files.createDirectories(dir);
        Path sec = dir.resolve(SECRET_FILE);
        PGPKeyRingGenerator generator;
        try {
            generator = generator();
        } catch (GeneralSecurityException | PGPException e) {
            throw new IOException("cannot generate the demo OpenPGP key in " + dir + ": " + e.getMessage(), e);
        }
        // secret first: the public file appearing last marks a complete pair
        writeArmored(sec, "rw-------", out -> generator.generateSecretKeyRing().encode(out));
        writeArmored(pub, "rw-r--r--", out -> generator.generatePublicKeyRing().encode(out));
        LOG.warn("Generated the DEMO OpenPGP key pair {} and {}: its private key lies next to the backups and has no passphrase;"
                + " it is for the demo only, use your own public keys for real backups", pub, sec);
        return pub;
    }

    private static PGPKeyRingGenerator generator() throws GeneralSecurityException, PGPException {
        // the v4 "legacy" curve encodings (EdDSA 22, ECDH 18 on Curve25519) are what gpg 2.2 reads
        Date now = new Date();
        PGPKeyPair signPair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY,
                KeyPairGenerator.getInstance("Ed25519", Pgp.bc()).generateKeyPair(), now);
        PGPKeyPair encPair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.ECDH,
                KeyPairGenerator.getInstance("X25519", Pgp.bc()).generateKeyPair(), now);

        PGPSignatureSubpacketGenerator primary = new PGPSignatureSubpacketGenerator();
        primary.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        primary.setPreferredSymmetricAlgorithms(false, new int[] {
                SymmetricKeyAlgorithmTags.AES_256, SymmetricKeyAlgorithmTags.AES_192, SymmetricKeyAlgorithmTags.AES_128});
        primary.setPreferredHashAlgorithms(false, new int[] {
                HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA256});
        primary.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
        primary.setIssuerFingerprint(false, signPair.getPublicKey());

        PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
        sub.setKeyFlags(false, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE);
        sub.setIssuerFingerprint(false, signPair.getPublicKey());

        PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder().setProvider(Pgp.bc()).build()
                .get(HashAlgorithmTags.SHA1);
        PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, signPair, USER_ID, sha1,
                primary.generate(), null,
                new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512).setProvider(Pgp.bc()),
                null); // null encryptor: no passphrase, so the demo restore needs no prompt
        gen.addSubKey(encPair, sub.generate(), null);
        return gen;
    }

    private interface Encoder {
        void encode(OutputStream out) throws IOException;
    }

    private static void writeArmored(Path target, String perms, Encoder encoder) throws IOException {
        Set<PosixFilePermission> p = PosixFilePermissions.fromString(perms);
        Path tmp;
        try {
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(p);
            tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp", attr);
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        }
        try {
            try (OutputStream file = Files.newOutputStream(tmp);
                 ArmoredOutputStream armored = ArmoredOutputStream.builder()
                         .addComment(USER_ID)
                         .build(file)) {
                encoder.encode(armored);
            }
            try {
                // createTempFile's attribute is filtered by the umask; set the mode explicitly
                Files.setPosixFilePermissions(tmp, p);
            } catch (UnsupportedOperationException ignored) {
                // non-POSIX file system: nothing more we can do
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
