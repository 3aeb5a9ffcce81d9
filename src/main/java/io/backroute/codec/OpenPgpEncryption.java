package io.backroute.codec;

import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.operator.PGPDataEncryptor;
import org.bouncycastle.openpgp.operator.PGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OpenPGP public-key encryption (AES-256, SEIPD v1 with MDC, binary) to one or more recipients, readable by gpg 2.2. */
public final class OpenPgpEncryption implements Transform {

    private final List<OpenPgpKeys.RecipientKey> recipients;

    public OpenPgpEncryption(List<OpenPgpKeys.RecipientKey> recipients) {
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("OpenPGP encryption needs at least one recipient key");
        }
        this.recipients = List.copyOf(recipients);
    }

    /** Loads and validates the recipient key files (see {@link OpenPgpKeys#load(List)}). */
    public static OpenPgpEncryption forKeyFiles(List<Path> keyFiles) {
        return new OpenPgpEncryption(OpenPgpKeys.load(keyFiles));
    }

    public List<OpenPgpKeys.RecipientKey> recipients() {
        return recipients;
    }

    /** Primary key fingerprints of the recipients, uppercase hex. */
    public List<String> fingerprints() {
        return recipients.stream().map(OpenPgpKeys.RecipientKey::fingerprint).toList();
    }

    @Override
    public String role() {
        return "encryption";
    }

    @Override
    public String extension() {
        return "gpg";
    }

    @Override
    public OutputStream wrap(OutputStream out) throws IOException {
        // SEIPD v1 (CFB + MDC): gpg 2.2 cannot read the AEAD (v2) packets
        PGPEncryptedDataGenerator generator = new PGPEncryptedDataGenerator(new JcaMdc(
                new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
                        .setProvider("SunJCE")
                        .setWithIntegrityPacket(true)));
        for (OpenPgpKeys.RecipientKey r : recipients) {
            generator.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(r.encryptionKey()));
        }
        OutputStream encrypted;
        try {
            encrypted = generator.open(out, new byte[Codecs.IO_BUFFER_SIZE]);
        } catch (PGPException e) {
            throw new IOException("cannot start OpenPGP encryption to " + fingerprints() + ": " + e.getMessage(), e);
        }
        // no compression packet: zstd already ran, and compressing ciphertext-bound data twice only costs CPU
        PGPLiteralDataGenerator literalGenerator = new PGPLiteralDataGenerator();
        OutputStream literal = literalGenerator.open(encrypted, PGPLiteralData.BINARY, "", new Date(),
                new byte[Codecs.IO_BUFFER_SIZE]);
        return new EncryptingStream(literal, literalGenerator, generator, out);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("algorithm", "openpgp");
        d.put("cipher", "AES-256");
        d.put("integrity", "MDC");
        d.put("recipients", fingerprints());
        return Map.copyOf(d);
    }

    @Override
    public String toString() {
        return "openpgp(recipients=" + fingerprints() + ")";
    }

    /**
     * The SunJCE data encryptor with the MDC's SHA-1 taken from the JDK's default provider (SHA-NI intrinsic)
     * instead of BouncyCastle's pure-Java digest, which the JCE builder hard-wires; same packets, less CPU.
     */
    private record JcaMdc(PGPDataEncryptorBuilder delegate) implements PGPDataEncryptorBuilder {
        @Override
        public int getAlgorithm() { return delegate.getAlgorithm(); }

        @Override
        public int getAeadAlgorithm() { return delegate.getAeadAlgorithm(); }

        @Override
        public int getChunkSize() { return delegate.getChunkSize(); }

        @Override
        public boolean isV5StyleAEAD() { return delegate.isV5StyleAEAD(); }

        @Override
        public SecureRandom getSecureRandom() { return delegate.getSecureRandom(); }

        @Override
        public PGPDataEncryptorBuilder setWithIntegrityPacket(boolean b) { delegate.setWithIntegrityPacket(b); return this; }

        @Override
        public PGPDataEncryptorBuilder setWithAEAD(int alg, int chunkSize) {
            throw new UnsupportedOperationException("AEAD packets are not used (gpg 2.2 cannot read them)");
        }

        @Override
        public PGPDataEncryptorBuilder setUseV5AEAD() {
            throw new UnsupportedOperationException("AEAD packets are not used (gpg 2.2 cannot read them)");
        }

        @Override
        public PGPDataEncryptorBuilder setUseV6AEAD() {
            throw new UnsupportedOperationException("AEAD packets are not used (gpg 2.2 cannot read them)");
        }

        @Override
        public PGPDataEncryptor build(byte[] keyBytes) throws PGPException {
            PGPDataEncryptor cipher = delegate.build(keyBytes);
            PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder().build().get(HashAlgorithmTags.SHA1);
            return new PGPDataEncryptor() {
                @Override
                public OutputStream getOutputStream(OutputStream out) { return cipher.getOutputStream(out); }

                @Override
                public PGPDigestCalculator getIntegrityCalculator() { return sha1; }

                @Override
                public int getBlockSize() { return cipher.getBlockSize(); }
            };
        }
    }

    private static final class EncryptingStream extends FilterOutputStream {
        private final PGPLiteralDataGenerator literal;
        private final PGPEncryptedDataGenerator encryption;
        private final OutputStream target;
        private boolean closed;

        EncryptingStream(OutputStream literalOut, PGPLiteralDataGenerator literal,
                         PGPEncryptedDataGenerator encryption, OutputStream target) {
            super(literalOut);
            this.literal = literal;
            this.encryption = encryption;
            this.target = target;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            // flushing a partial-length packet stream mid-way would emit tiny packets; only flush the target
            target.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            // order matters: the literal packet ends, then the MDC and the final partial packet are written
            try (OutputStream t = target) {
                literal.close();
                encryption.close();
            }
        }
    }
}
