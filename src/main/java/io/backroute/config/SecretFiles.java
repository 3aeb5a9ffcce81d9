package io.backroute.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a small secret (passphrase, password) from a file, dropping one trailing line break, so that secrets
 * never need to appear on a command line. Only for files of a few bytes: never for backup data.
 */
public final class SecretFiles {

    private static final long MAX_BYTES = 64 * 1024;

    private SecretFiles() { }

    public static String read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is larger than " + MAX_BYTES + " bytes: not a password file");
        }
        return Files.readString(file, StandardCharsets.UTF_8).replaceFirst("\\R$", "");
    }

    public static char[] readChars(Path file) throws IOException {
        return read(file).toCharArray();
    }
}
