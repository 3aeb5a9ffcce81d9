package io.backroute.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backroute.BackupException;
import io.backroute.codec.OpenPgpDecryption;
import io.backroute.codec.OpenPgpEncryption;
import io.backroute.codec.OpenPgpKeys;
import io.backroute.store.Destination;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key canary: a small file encrypted to a recipient set (a random token, the fingerprints and the time), with a
 * plain manifest beside it, that a host holding an escrow private key decrypts on a schedule to prove the key
 * still opens what Backroute writes.
 */
public final class KeyCanary {

    /** Folder of the canaries in the data directory and at destinations. */
    public static final String FOLDER = "canary";
    /** Prefix of every check failure: what ops grep for and alert on. */
    public static final String NO_LONGER_DECRYPTS = "the escrow key no longer decrypts: ";

    private static final Logger LOG = LoggerFactory.getLogger(KeyCanary.class);
    private static final String KIND = "backroute-key-canary";
    private static final int MAX_CONTENT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyCanary() { }

    /**
     * @param id           hash of the sorted recipient fingerprints (names {@code canary/<id>.gpg})
     * @param file         the canary in the data directory
     * @param destinations destinations it was also copied to
     */
    public record Written(String id, Path file, List<String> fingerprints, Instant time, List<String> destinations) { }

    /** A canary the key decrypted, with matching token, fingerprints and time. */
    public record Checked(String id, String location, List<String> fingerprints, Instant written) { }

    /** Writes {@code <dataDir>/canary/<id>.gpg} and its manifest, replacing an older canary of the same recipient set. */
    public static Written write(List<Path> recipientFiles, Path dataDir) throws IOException {
        OpenPgpEncryption enc = OpenPgpEncryption.forKeyFiles(recipientFiles);
        List<String> fingerprints = enc.recipients().stream().map(OpenPgpKeys.RecipientKey::fingerprint).distinct().sorted().toList();
        String id = sha256(String.join(",", fingerprints)).substring(0, 16);
        Instant time = Instant.now();
        byte[] token = new byte[32];
        RANDOM.nextBytes(token);
        String tokenHex = HexFormat.of().formatHex(token);
        ObjectNode content = JSON.createObjectNode().put("kind", KIND).put("token", tokenHex).put("time", time.toString());
        fingerprints.forEach(content.putArray("fingerprints")::add);
        ObjectNode manifest = JSON.createObjectNode().put("kind", KIND).put("id", id).put("canary", id + ".gpg")
                .put("time", time.toString()).put("tokenSha256", sha256(tokenHex));
        fingerprints.forEach(manifest.putArray("fingerprints")::add);
        Path dir = Files.createDirectories(dataDir.resolve(FOLDER));
        Path file = dir.resolve(id + ".gpg");
        Path tmp = dir.resolve("." + id + ".gpg.part");
        try (OutputStream out = enc.wrap(Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING))) {
            out.write(JSON.writeValueAsBytes(content));
        }
        Path mtmp = dir.resolve("." + id + ".json.part");
        Files.write(mtmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(mtmp, dir.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("key canary {} written for {} recipient(s): {}", file, fingerprints.size(), fingerprints);
        return new Written(id, file, fingerprints, time, List.of());
    }

    /** Copies a written canary to a destination as {@code canary/<id>.gpg} plus {@code canary/<id>.gpg.manifest.json}. */
    public static void upload(Written w, Destination d) {
        String key = FOLDER + "/" + w.id() + ".gpg";
        String manifestKey = key + ".manifest.json";
        // destinations refuse to overwrite: a rewritten canary replaces the old pair, manifest first
        for (String k : List.of(manifestKey, key)) {
            if (d.stat(k).isPresent()) {
                d.delete(k);
            }
        }
        d.put(w.file(), key);
        d.put(w.file().resolveSibling(w.id() + ".json"), manifestKey);
        LOG.info("key canary {} copied to destination {}", w.id(), d.name());
    }

    /** Checks every canary in {@code <dataDir>/canary/} written for the key. */
    public static List<Checked> check(Path dataDir, DecryptionKey key) {
        Path dir = dataDir.resolve(FOLDER);
        List<String> ids = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith("."))
                        .map(n -> n.substring(0, n.length() - ".json".length())).sorted().forEach(ids::add);
            } catch (IOException e) {
                throw failure("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        return check(ids, id -> Files.newInputStream(dir.resolve(id + ".json")),
                id -> Files.newInputStream(dir.resolve(id + ".gpg")), dir.toString(), key);
    }

    /** Checks every canary at a destination written for the key. */
    public static List<Checked> check(Destination d, DecryptionKey key) {
        List<String> ids = d.list(FOLDER + "/").stream().filter(k -> k.endsWith(".gpg.manifest.json"))
                .map(k -> k.substring(FOLDER.length() + 1, k.length() - ".gpg.manifest.json".length())).sorted().toList();
        return check(ids, id -> d.open(FOLDER + "/" + id + ".gpg.manifest.json"), id -> d.open(FOLDER + "/" + id + ".gpg"),
                "destination " + d.name(), key);
    }

    private interface Opener {
        InputStream open(String id) throws IOException;
    }

    private static List<Checked> check(List<String> ids, Opener manifests, Opener canaries, String where, DecryptionKey key) {
        String fingerprint = fingerprint(key.file());
        List<Checked> out = new ArrayList<>();
        for (String id : ids) {
            JsonNode m;
            try (InputStream in = manifests.open(id)) {
                m = JSON.readTree(in);
            } catch (IOException | RuntimeException e) {
                throw failure("the manifest of canary " + id + " at " + where + " is unreadable: " + e.getMessage(), e);
            }
            List<String> fps = new ArrayList<>();
            m.path("fingerprints").forEach(n -> fps.add(n.asText()));
            if (!fps.contains(fingerprint)) {
                continue;
            }
            String location = id + ".gpg at " + where;
            JsonNode content;
            try (InputStream plain = OpenPgpDecryption.open(canaries.open(id), key.file(), key.passphrase())) {
                content = JSON.readTree(readBounded(plain));
            } catch (IOException | RuntimeException e) {
                throw failure(NO_LONGER_DECRYPTS + "canary " + location + ": " + e.getMessage(), e);
            }
            List<String> contentFps = new ArrayList<>();
            content.path("fingerprints").forEach(n -> contentFps.add(n.asText()));
            if (!KIND.equals(content.path("kind").asText()) || !sha256(content.path("token").asText()).equals(m.path("tokenSha256").asText())
                    || !contentFps.equals(fps) || !content.path("time").asText().equals(m.path("time").asText())) {
                throw failure(NO_LONGER_DECRYPTS + "canary " + location + " decrypts, but its token, fingerprints or time"
                        + " differ from its manifest: the canary or its manifest was replaced", null);
            }
            out.add(new Checked(id, location, List.copyOf(fps), Instant.parse(m.path("time").asText())));
            LOG.info("key canary {} decrypts with key {} ({})", location, fingerprint, key.file());
        }
        if (out.isEmpty()) {
            throw failure(NO_LONGER_DECRYPTS + "no key canary at " + where + " is encrypted to key " + fingerprint + " ("
                    + key.file() + "); write one with: backroute keys canary write --recipients FILES", null);
        }
        return out;
    }

    /** Reads the small canary plain text, then on to EOF so that the OpenPGP integrity check runs. */
    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] buf = in.readNBytes(MAX_CONTENT);
        if (in.read() >= 0) {
            throw new IOException("the decrypted canary is larger than " + MAX_CONTENT + " bytes: it is not a key canary");
        }
        return buf;
    }

    /** Primary key fingerprint of the first secret key in a key file, uppercase hex as gpg prints it. */
    static String fingerprint(Path secretKeyFile) {
        try (InputStream in = PGPUtil.getDecoderStream(new BufferedInputStream(Files.newInputStream(secretKeyFile)))) {
            PGPSecretKeyRingCollection rings = new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator());
            for (PGPSecretKeyRing ring : rings) {
                return HexFormat.of().withUpperCase().formatHex(ring.getPublicKey().getFingerprint());
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw failure(NO_LONGER_DECRYPTS + "the key file " + secretKeyFile + " cannot be read as an OpenPGP secret key: "
                    + e.getMessage(), e);
        }
        throw failure(NO_LONGER_DECRYPTS + "the key file " + secretKeyFile + " holds no secret key", null);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BackupException failure(String message, Throwable cause) {
        return new BackupException("canary", message, cause);
    }
}
