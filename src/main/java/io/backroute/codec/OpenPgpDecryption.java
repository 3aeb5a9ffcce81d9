package io.backroute.codec;

import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PBESecretKeyDecryptor;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyDataDecryptorFactoryBuilder;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Streaming OpenPGP decryption for restore and verify: yields the plain content of an artifact and
 * checks its integrity (MDC) when the content has been read to the end.
 */
public final class OpenPgpDecryption {

    /** The message of the error thrown at end of stream when the MDC does not match. */
    public static final String INTEGRITY_FAILED = "integrity check failed: the artifact is corrupt or truncated";

    private OpenPgpDecryption() {
    }

    /**
     * Opens {@code artifact} (binary or armored OpenPGP) for reading its plain content.
     * The integrity check runs when the returned stream reaches its end; a consumer that stops early
     * has verified nothing, and bytes read before a failing check must be discarded.
     * Closing the returned stream closes {@code artifact}.
     *
     * @param secretKeyFile armored or binary secret key export ({@code gpg --armor --export-secret-keys ID})
     * @param passphrase    passphrase of the secret key; empty for an unprotected key
     * @throws IOException naming what is wrong: not an OpenPGP message, encrypted to other keys,
     *                     wrong passphrase, unreadable key file, corrupt or truncated input
     */
    public static InputStream open(InputStream artifact, Path secretKeyFile, char[] passphrase) throws IOException {
        List<PGPSecretKeyRing> rings = loadSecretKeys(secretKeyFile);
        boolean ok = false;
        try {
            PGPEncryptedDataList list = encryptedDataList(new BufferedInputStream(artifact, Codecs.IO_BUFFER_SIZE));

            List<String> recipientIds = new ArrayList<>();
            PGPPublicKeyEncryptedData chosen = null;
            PGPSecretKey secretKey = null;
            for (PGPEncryptedData d : list) {
                if (d instanceof PGPPublicKeyEncryptedData) {
                    PGPPublicKeyEncryptedData pk = (PGPPublicKeyEncryptedData) d;
                    recipientIds.add(Pgp.keyId(pk.getKeyID()));
                    if (chosen == null) {
                        PGPSecretKey sk = findSecretKey(rings, pk.getKeyID());
                        if (sk != null) {
                            chosen = pk;
                            secretKey = sk;
                        }
                    }
                } else if (d instanceof PGPPBEEncryptedData) {
                    recipientIds.add("(passphrase)");
                }
            }
            if (chosen == null) {
                throw new IOException("the artifact is encrypted to key IDs " + String.join(", ", recipientIds)
                        + " and the key in " + secretKeyFile + " (key IDs " + String.join(", ", keyIds(rings))
                        + ") is not one of them");
            }
            PGPPrivateKey privateKey = extractPrivateKey(secretKey, secretKeyFile, passphrase);
            InputStream clear;
            try {
                clear = chosen.getDataStream(new JcePublicKeyDataDecryptorFactoryBuilder()
                        .setProvider(Pgp.bc())
                        .setContentProvider("SunJCE")
                        .build(privateKey));
            } catch (PGPException e) {
                throw new IOException("cannot decrypt the session key with key " + Pgp.keyId(secretKey.getKeyID())
                        + " from " + secretKeyFile + ": the artifact is " + (truncation(e) ? "truncated" : "corrupt")
                        + " (" + e.getMessage() + ")", e);
            }
            if (!chosen.isIntegrityProtected()) {
                throw new IOException("the artifact has no integrity protection (no MDC); refusing to decrypt it");
            }
            InputStream literal = literalStream(clear);
            ok = true;
            return new VerifyingStream(literal, chosen, artifact);
        } finally {
            if (!ok) {
                artifact.close();
            }
        }
    }

    private static PGPEncryptedDataList encryptedDataList(InputStream artifact) throws IOException {
        Object o;
        try {
            // accepts binary and ASCII-armored artifacts alike
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(artifact));
            o = factory.nextObject();
            while (o instanceof PGPMarker) {
                o = factory.nextObject();
            }
        } catch (EOFException e) {
            throw new IOException("not an OpenPGP message: the artifact is empty or truncated", e);
        } catch (IOException | RuntimeException e) {
            throw new IOException("not an OpenPGP message (or its header is corrupt): " + e.getMessage(), e);
        }
        if (o == null) {
            throw new IOException("not an OpenPGP message: no OpenPGP packet found");
        }
        if (!(o instanceof PGPEncryptedDataList)) {
            throw new IOException("not an OpenPGP encrypted message: it holds " + OpenPgpKeys.describeObject(o));
        }
        return (PGPEncryptedDataList) o;
    }

    private static InputStream literalStream(InputStream clear) throws IOException {
        try {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(clear);
            Object o = factory.nextObject();
            while (true) {
                if (o instanceof PGPLiteralData) {
                    return ((PGPLiteralData) o).getInputStream();
                } else if (o instanceof PGPCompressedData) {
                    // gpg --encrypt compresses by default; our own artifacts never do
                    factory = new JcaPGPObjectFactory(((PGPCompressedData) o).getDataStream());
                    o = factory.nextObject();
                } else if (o instanceof PGPOnePassSignatureList || o instanceof PGPMarker) {
                    o = factory.nextObject();
                } else if (o == null) {
                    throw new IOException("the encrypted artifact holds no data packet: it is corrupt or truncated");
                } else {
                    throw new IOException("unexpected content in the encrypted artifact: " + OpenPgpKeys.describeObject(o));
                }
            }
        } catch (PGPException | IOException | RuntimeException e) {
            throw new IOException("cannot read the decrypted artifact: it is "
                    + (truncation(e) ? "truncated" : "corrupt or truncated") + " (" + e.getMessage() + ")", e);
        }
    }

    /** BouncyCastle wraps a premature end of input in other exceptions; find it to name the failure. */
    static boolean truncation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return true;
            }
        }
        return false;
    }

    private static PGPPrivateKey extractPrivateKey(PGPSecretKey key, Path file, char[] passphrase) throws IOException {
        String what = "secret key " + Pgp.keyId(key.getKeyID()) + " in " + file;
        try {
            PBESecretKeyDecryptor decryptor = new JcePBESecretKeyDecryptorBuilder(
                    new JcaPGPDigestCalculatorProviderBuilder().setProvider(Pgp.bc()).build())
                    .setProvider(Pgp.bc())
                    .build(passphrase == null ? new char[0] : passphrase);
            PGPPrivateKey pk = key.extractPrivateKey(decryptor);
            if (pk == null) {
                throw new IOException(what + " has no secret material (a gpg stub, e.g. for a smartcard key)");
            }
            return pk;
        } catch (PGPException e) {
            // BouncyCastle's message ("checksum mismatch" and the like) never contains the passphrase
            throw new IOException("wrong passphrase for " + what + " (" + e.getMessage() + ")", e);
        }
    }

    private static PGPSecretKey findSecretKey(List<PGPSecretKeyRing> rings, long keyId) {
        for (PGPSecretKeyRing r : rings) {
            PGPSecretKey k = r.getSecretKey(keyId);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    private static List<String> keyIds(List<PGPSecretKeyRing> rings) {
        List<String> ids = new ArrayList<>();
        for (PGPSecretKeyRing r : rings) {
            for (Iterator<PGPSecretKey> it = r.getSecretKeys(); it.hasNext(); ) {
                ids.add(Pgp.keyId(it.next().getKeyID()));
            }
        }
        return ids;
    }

    /** Loads the secret key rings of an armored or binary secret key export, with errors naming the file. */
    static List<PGPSecretKeyRing> loadSecretKeys(Path file) throws IOException {
        String name = "OpenPGP secret key file " + file;
        if (!Files.isRegularFile(file)) {
            throw new IOException(name + (Files.exists(file) ? " is not a regular file" : " does not exist"));
        }
        List<PGPSecretKeyRing> rings = new ArrayList<>();
        boolean publicOnly = false;
        try (InputStream in = PGPUtil.getDecoderStream(new BufferedInputStream(Files.newInputStream(file)))) {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(in);
            Object o;
            while ((o = factory.nextObject()) != null) {
                if (o instanceof PGPSecretKeyRing) {
                    rings.add((PGPSecretKeyRing) o);
                } else if (o instanceof PGPPublicKeyRing) {
                    publicOnly = true;
                }
            }
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(name + " cannot be read: permission denied", e);
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + " is not an OpenPGP secret key (" + e.getMessage() + ")", e);
        }
        if (rings.isEmpty()) {
            throw new IOException(name + (publicOnly
                    ? " holds only a public key; decryption needs the secret key: gpg --armor --export-secret-keys ID"
                    : " is not an OpenPGP secret key"));
        }
        return rings;
    }

    /** Passes the plain content through and checks the MDC once the end is reached. */
    private static final class VerifyingStream extends FilterInputStream {
        private final PGPPublicKeyEncryptedData data;
        private final InputStream artifact;
        private boolean verified;

        VerifyingStream(InputStream literal, PGPPublicKeyEncryptedData data, InputStream artifact) {
            super(literal);
            this.data = data;
            this.artifact = artifact;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw new IOException("cannot read the artifact: it is "
                        + (truncation(e) ? "truncated" : "corrupt or truncated") + " (" + e.getMessage() + ")", e);
            }
            if (n < 0) {
                verify();
            }
            return n;
        }

        private void verify() throws IOException {
            if (verified) {
                return;
            }
            boolean ok;
            try {
                ok = data.verify();
            } catch (PGPException | IOException | RuntimeException e) {
                throw new IOException(INTEGRITY_FAILED + " (" + e.getMessage() + ")", e);
            }
            if (!ok) {
                throw new IOException(INTEGRITY_FAILED);
            }
            verified = true;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(Codecs.IO_BUFFER_SIZE, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() throws IOException {
            artifact.close();
        }
    }
}
