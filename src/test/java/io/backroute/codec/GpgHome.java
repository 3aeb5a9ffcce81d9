package io.backroute.codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helper: a throw-away GNUPGHOME driving the real gpg CLI in batch mode, as the oracle for OpenPGP tests. */
final class GpgHome implements AutoCloseable {

    final Path dir;

    GpgHome(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // the agent's calibrated S2K count makes each unlock of an exported key cost about a second in Java
        Files.writeString(dir.resolve("gpg-agent.conf"), "s2k-count 65536\n");
    }

    Proc.Result gpg(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--homedir", dir.toString(), "--batch", "--no-tty",
                "--pinentry-mode", "loopback"));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, Map.of("GNUPGHOME", dir.toString()));
    }

    /** Generates a key with an empty passphrase and returns its fingerprint. */
    String genKey(String uid, String algo, String usage, String expire) throws IOException, InterruptedException {
        return genKey(uid, algo, usage, expire, "");
    }

    String genKey(String uid, String algo, String usage, String expire, String passphrase) throws IOException, InterruptedException {
        gpg("--passphrase", passphrase, "--quick-gen-key", uid, algo, usage, expire).ok();
        return fingerprint(uid);
    }

    String fingerprint(String uid) throws IOException, InterruptedException {
        String colons = gpg("--with-colons", "--list-keys", uid).ok().stdout();
        for (String line : colons.split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no fingerprint for " + uid + " in\n" + colons);
    }

    Path exportPublic(String fpr, Path file) throws IOException, InterruptedException {
        gpg("--armor", "--output", file.toString(), "--export", fpr).ok();
        return file;
    }

    Path exportPublicBinary(String fpr, Path file) throws IOException, InterruptedException {
        gpg("--output", file.toString(), "--export", fpr).ok();
        return file;
    }

    Path exportSecret(String fpr, Path file, String passphrase) throws IOException, InterruptedException {
        gpg("--passphrase", passphrase, "--armor", "--output", file.toString(), "--export-secret-keys", fpr).ok();
        return file;
    }

    void importKey(Path file) throws IOException, InterruptedException {
        gpg("--import", file.toString()).ok();
    }

    /** Decrypts {@code in} to {@code out} with gpg; returns the result so a test can check failures too. */
    Proc.Result decrypt(Path in, Path out) throws IOException, InterruptedException {
        return gpg("--passphrase", "", "--yes", "--output", out.toString(), "--decrypt", in.toString());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Proc.run(List.of("gpgconf", "--homedir", dir.toString(), "--kill", "gpg-agent"), Map.of());
    }
}
