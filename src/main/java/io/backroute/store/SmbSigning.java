package io.backroute.store;

import com.hierynomus.security.AEADBlockCipher;
import com.hierynomus.security.Cipher;
import com.hierynomus.security.DerivationFunction;
import com.hierynomus.security.Mac;
import com.hierynomus.security.MessageDigest;
import com.hierynomus.security.SecurityException;
import com.hierynomus.security.SecurityProvider;
import com.hierynomus.security.bc.BCSecurityProvider;
import java.security.GeneralSecurityException;
import java.util.Locale;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * smbj security provider that signs SMB packets through the JDK's intrinsified AES and SHA-256 instead of
 * BouncyCastle's pure-Java engines; everything else (NTLM, key derivation, SMB3 encryption) stays with smbj's
 * default BouncyCastle provider.
 * <p>
 * Every packet of an upload is signed (SMB 3.x requires it: AES-128-CMAC; SMB 2.x: HMAC-SHA256), so the MAC runs
 * over every byte sent. With BouncyCastle's engines that capped an upload at ~100 MB/s of one CPU
 * ({@code bench/fanout.sh}, {@code SmbThroughput}); the JDK's AES-NI and SHA-NI paths are several times faster.
 */
public final class SmbSigning implements SecurityProvider {

    private final BCSecurityProvider fallback = new BCSecurityProvider();

    @Override
    public Mac getMac(String name) throws SecurityException {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "AESCMAC" -> new AesCmac();
            case "HMACSHA256" -> new JdkMac("HmacSHA256");
            default -> fallback.getMac(name);
        };
    }

    @Override
    public MessageDigest getDigest(String name) throws SecurityException {
        return fallback.getDigest(name);
    }

    @Override
    public Cipher getCipher(String name) throws SecurityException {
        return fallback.getCipher(name);
    }

    @Override
    public AEADBlockCipher getAEADBlockCipher(String name) throws SecurityException {
        return fallback.getAEADBlockCipher(name);
    }

    @Override
    public DerivationFunction getDerivationFunction(String name) throws SecurityException {
        return fallback.getDerivationFunction(name);
    }

    /** A JCA MAC behind smbj's interface. */
    static final class JdkMac implements Mac {
        private final javax.crypto.Mac mac;
        private final String algorithm;

        JdkMac(String algorithm) throws SecurityException {
            this.algorithm = algorithm;
            try {
                this.mac = javax.crypto.Mac.getInstance(algorithm);
            } catch (GeneralSecurityException e) {
                throw new SecurityException(e);
            }
        }

        @Override
        public void init(byte[] key) throws SecurityException {
            try {
                mac.init(new SecretKeySpec(key, algorithm));
            } catch (GeneralSecurityException e) {
                throw new SecurityException(e);
            }
        }

        @Override public void update(byte b) { mac.update(b); }
        @Override public void update(byte[] b) { mac.update(b); }
        @Override public void update(byte[] b, int off, int len) { mac.update(b, off, len); }
        @Override public byte[] doFinal() { return mac.doFinal(); }
        @Override public void reset() { mac.reset(); }
    }

    /**
     * AES-CMAC (RFC 4493, NIST SP 800-38B) on the JDK's AES/CBC, whose encryption loop is an AES-NI intrinsic:
     * CMAC is the last block of a zero-IV CBC encryption whose final block is first XORed with a subkey.
     * The last (possibly partial) block is held back until {@link #doFinal()}, since which subkey applies
     * depends on whether it is complete.
     */
    static final class AesCmac implements Mac {
        private static final int BLOCK = 16;
        private static final byte[] ZERO = new byte[BLOCK];

        private final javax.crypto.Cipher cbc;
        private SecretKeySpec key;
        private byte[] k1;
        private byte[] k2;
        private final byte[] pending = new byte[BLOCK];
        private int pendingLength;
        private final byte[] scratch = new byte[64 * 1024];

        AesCmac() throws SecurityException {
            try {
                cbc = javax.crypto.Cipher.getInstance("AES/CBC/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new SecurityException(e);
            }
        }

        @Override
        public void init(byte[] keyBytes) throws SecurityException {
            try {
                key = new SecretKeySpec(keyBytes, "AES");
                javax.crypto.Cipher ecb = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
                ecb.init(javax.crypto.Cipher.ENCRYPT_MODE, key);
                k1 = doubled(ecb.doFinal(ZERO));
                k2 = doubled(k1);
            } catch (GeneralSecurityException e) {
                throw new SecurityException(e);
            }
            reset();
        }

        /** Multiplication by x in GF(2^128) (RFC 4493 section 2.3). */
        private static byte[] doubled(byte[] in) {
            byte[] out = new byte[BLOCK];
            int carry = 0;
            for (int i = BLOCK - 1; i >= 0; i--) {
                int b = in[i] & 0xff;
                out[i] = (byte) ((b << 1) | carry);
                carry = b >>> 7;
            }
            if (carry != 0) {
                out[BLOCK - 1] ^= (byte) 0x87;
            }
            return out;
        }

        @Override
        public void reset() {
            if (key == null) {
                return;
            }
            try {
                cbc.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new IvParameterSpec(ZERO));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CMAC reset", e);
            }
            pendingLength = 0;
        }

        private void chain(byte[] b, int off, int len) {
            try {
                cbc.update(b, off, len, scratch, 0);
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void update(byte b) {
            update(new byte[] {b}, 0, 1);
        }

        @Override
        public void update(byte[] b) {
            update(b, 0, b.length);
        }

        @Override
        public void update(byte[] b, int off, int len) {
            while (len > 0) {
                if (pendingLength == BLOCK) {
                    // more data follows, so the held-back block is not the last one
                    chain(pending, 0, BLOCK);
                    pendingLength = 0;
                }
                if (pendingLength == 0 && len > BLOCK) {
                    // whole blocks straight through, always keeping at least one byte back for doFinal
                    int n = Math.min(((len - 1) / BLOCK) * BLOCK, scratch.length);
                    chain(b, off, n);
                    off += n;
                    len -= n;
                    continue;
                }
                int n = Math.min(BLOCK - pendingLength, len);
                System.arraycopy(b, off, pending, pendingLength, n);
                pendingLength += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public byte[] doFinal() {
            byte[] last = new byte[BLOCK];
            System.arraycopy(pending, 0, last, 0, pendingLength);
            byte[] subkey = k1;
            if (pendingLength < BLOCK) {
                last[pendingLength] = (byte) 0x80;
                subkey = k2;
            }
            for (int i = 0; i < BLOCK; i++) {
                last[i] ^= subkey[i];
            }
            try {
                byte[] tag = cbc.doFinal(last);
                reset();
                return tag;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CMAC", e);
            }
        }
    }
}
