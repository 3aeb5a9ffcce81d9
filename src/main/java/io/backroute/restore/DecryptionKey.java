package io.backroute.restore;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The private key that decrypts artifacts: an OpenPGP secret key file and its passphrase (never from argv).
 */
public record DecryptionKey(Path file, char[] passphrase) {

    public DecryptionKey {
        passphrase = passphrase == null ? new char[0] : passphrase.clone();
    }

    @Override
    public char[] passphrase() {
        return passphrase.clone();
    }

    @Override
    public String toString() {
        return "DecryptionKey[" + file + ", passphrase ********]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecryptionKey k && k.file.equals(file) && Arrays.equals(k.passphrase, passphrase);
    }

    @Override
    public int hashCode() {
        return file.hashCode();
    }
}
