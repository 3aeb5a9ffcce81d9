package io.backroute.codec;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import java.security.Provider;
import java.util.HexFormat;
import java.util.Locale;

/** Shared OpenPGP plumbing: the BouncyCastle provider instance and key id formatting. */
final class Pgp {

    /**
     * Used for key operations only (session key wrapping, key conversion); bulk AES goes through
     * SunJCE, which is about five times faster here. Not registered JVM-wide on purpose.
     */
    static final Provider BC = new BouncyCastleProvider();

    private Pgp() {
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
