package io.backroute.codec;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import java.util.HexFormat;
import java.util.Locale;

/** Shared OpenPGP plumbing: the BouncyCastle provider instance and key id formatting. */
final class Pgp {

    private Pgp() {
    }

    /**
     * The BouncyCastle JCA provider, for private-key operations only (session key unwrapping, secret key
     * decryption, demo key generation); bulk AES goes through SunJCE, which is about five times faster here.
     * Not registered JVM-wide on purpose. Created on first use: building it registers every BC algorithm
     * (about 0.7 s of start-up), which a backup never needs (encryption uses BC's lightweight API).
     */
    static java.security.Provider bc() {
        return Holder.BC;
    }

    private static final class Holder {
        static final java.security.Provider BC = new BouncyCastleProvider();
    }

    /** Uppercase hex, as gpg prints fingerprints. */
    static String hex(byte[] bytes) {
        return HexFormat.of().withUpperCase().formatHex(bytes);
    }

    /** 16-digit uppercase long key id, as gpg prints it. */
    static String keyId(long id) {
        return String.format(Locale.ROOT, "%016X", id);
    }
}
