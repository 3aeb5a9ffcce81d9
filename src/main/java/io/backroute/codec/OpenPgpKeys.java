package io.backroute.codec;

import io.backroute.BackupException;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Loads and validates OpenPGP recipient public keys from key files (ASCII-armored or binary). */
public final class OpenPgpKeys {

    private static final int ENCRYPT_FLAGS = KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE;

    /**
     * One recipient: the key file it came from, the primary key fingerprint (uppercase hex, as gpg
     * prints it), its first user id, and the public (sub)key that session keys are encrypted to.
     */
    public record RecipientKey(Path file, String fingerprint, String userId, PGPPublicKey encryptionKey) {

        /** Long key id of the encryption (sub)key, uppercase hex. */
        public String encryptionKeyId() {
            return Pgp.keyId(encryptionKey.getKeyID());
        }

        @Override
        public String toString() {
            return fingerprint + " (" + userId + ", " + file + ")";
        }
    }

    private OpenPgpKeys() {
    }

    /** Loads every recipient of every file; throws on the first problem (see {@link #validate(List)} to collect them). */
    public static List<RecipientKey> load(List<Path> files) {
        if (files == null || files.isEmpty()) {
            throw new BackupException("encryption", "no OpenPGP recipient key file given");
        }
        List<RecipientKey> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(load(f));
        }
        return List.copyOf(all);
    }

    /**
     * Loads the recipients in one key file (usually one; an export of several keys gives several).
     *
     * @throws BackupException naming the file: missing, unreadable, not an OpenPGP key, a private
     *                         key, or a key without a usable encryption (sub)key
     */
    public static List<RecipientKey> load(Path file) {
        List<String> problems = new ArrayList<>();
        List<RecipientKey> keys = load(file, problems);
        if (!problems.isEmpty()) {
            throw new BackupException("encryption", String.join("; ", problems));
        }
        return keys;
    }

    /** Checks every file and returns one message per problem; empty when all files are usable recipients. */
    public static List<String> validate(List<Path> files) {
        List<String> problems = new ArrayList<>();
        if (files == null || files.isEmpty()) {
            problems.add("no OpenPGP recipient key file given");
            return problems;
        }
        for (Path f : files) {
            load(f, problems);
        }
        return problems;
    }

    private static List<RecipientKey> load(Path file, List<String> problems) {
        String name = "OpenPGP key file " + file;
        if (!Files.exists(file)) {
            problems.add(name + " does not exist");
            return List.of();
        }
        if (!Files.isRegularFile(file)) {
            problems.add(name + " is not a regular file");
            return List.of();
        }
        List<Object> objects = new ArrayList<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             InputStream in = PGPUtil.getDecoderStream(raw)) {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(in);
            Object o;
            while ((o = factory.nextObject()) != null) {
                objects.add(o);
            }
        } catch (NoSuchFileException e) {
            problems.add(name + " does not exist");
            return List.of();
        } catch (java.nio.file.AccessDeniedException e) {
            problems.add(name + " cannot be read: permission denied");
            return List.of();
        } catch (IOException | RuntimeException e) {
            // the parser throws assorted IOExceptions and runtime exceptions on non-OpenPGP input
            problems.add(name + (objects.isEmpty() ? " is not an OpenPGP key (" : " is damaged (")
                    + e.getMessage() + "): export one with gpg --armor --export ID");
            return List.of();
        }
        if (objects.isEmpty()) {
            problems.add(name + " is not an OpenPGP key (no key found): export one with gpg --armor --export ID");
            return List.of();
        }
        List<RecipientKey> keys = new ArrayList<>();
        for (Object o : objects) {
            if (o instanceof PGPSecretKeyRing) {
                problems.add(name + " holds a private key; a recipient must be a public key: export it with gpg --armor --export ID");
                return List.of();
            } else if (o instanceof PGPPublicKeyRing) {
                RecipientKey k = recipient(file, (PGPPublicKeyRing) o, problems);
                if (k != null) {
                    keys.add(k);
                }
            } else {
                problems.add(name + " is not an OpenPGP key (it holds " + describeObject(o) + "): export one with gpg --armor --export ID");
                return List.of();
            }
        }
        return keys;
    }

    private static RecipientKey recipient(Path file, PGPPublicKeyRing ring, List<String> problems) {
        PGPPublicKey primary = ring.getPublicKey();
        String fpr = Pgp.hex(primary.getFingerprint());
        String uid = firstUserId(primary);
        String prefix = "OpenPGP key file " + file + ": key " + fpr + " (" + uid + ") ";
        Instant now = Instant.now();
        if (primary.hasRevocation()) {
            problems.add(prefix + "is revoked; it cannot be a recipient");
            return null;
        }
        Instant primaryExpiry = expiry(primary);
        if (primaryExpiry != null && !primaryExpiry.isAfter(now)) {
            problems.add(prefix + "expired on " + primaryExpiry + "; extend it (gpg --quick-set-expire) and export it again");
            return null;
        }
        List<String> reasons = new ArrayList<>();
        PGPPublicKey best = null;
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
            PGPPublicKey k = it.next();
            String what = k.isMasterKey() ? "primary key" : "subkey " + Pgp.keyId(k.getKeyID());
            Integer flags = keyFlags(k);
            if (!k.isEncryptionKey() || (flags != null && (flags & ENCRYPT_FLAGS) == 0)) {
                reasons.add(what + " is sign-only");
                continue;
            }
            if (!k.isMasterKey() && k.hasRevocation()) {
                reasons.add(what + " is revoked");
                continue;
            }
            Instant exp = expiry(k);
            if (exp != null && !exp.isAfter(now)) {
                reasons.add(what + " expired on " + exp);
                continue;
            }
            // gpg encrypts to the newest valid encryption subkey; do the same
            if (best == null || k.getCreationTime().after(best.getCreationTime())) {
                best = k;
            }
        }
        if (best == null) {
            problems.add(prefix + "has no usable encryption (sub)key (" + String.join(", ", reasons)
                    + "); add one with gpg --quick-add-key " + fpr + " default encr, then export again");
            return null;
        }
        return new RecipientKey(file, fpr, uid, best);
    }

    private static Instant expiry(PGPPublicKey k) {
        long seconds = k.getValidSeconds();
        return seconds <= 0 ? null : k.getCreationTime().toInstant().plusSeconds(seconds);
    }

    /** Key flags from the newest self-signature (primary) or binding signature (subkey) carrying them. */
    private static Integer keyFlags(PGPPublicKey k) {
        Iterator<PGPSignature> sigs = k.isMasterKey() ? k.getSignatures() : k.getSignaturesOfType(PGPSignature.SUBKEY_BINDING);
        PGPSignature newest = null;
        while (sigs.hasNext()) {
            PGPSignature s = sigs.next();
            if (k.isMasterKey() && s.getKeyID() != k.getKeyID()) {
                continue; // third-party certification
            }
            if (s.getHashedSubPackets() == null || s.getHashedSubPackets().getKeyFlags() == 0) {
                continue;
            }
            if (newest == null || s.getCreationTime().after(newest.getCreationTime())) {
                newest = s;
            }
        }
        return newest == null ? null : newest.getHashedSubPackets().getKeyFlags();
    }

    static String firstUserId(PGPPublicKey primary) {
        Iterator<String> ids = primary.getUserIDs();
        return ids.hasNext() ? ids.next() : "no user id";
    }

    static String describeObject(Object o) {
        String n = o.getClass().getSimpleName();
        switch (n) {
            case "PGPEncryptedDataList": return "an encrypted message";
            case "PGPLiteralData": return "literal data";
            case "PGPCompressedData": return "compressed data";
            case "PGPSignatureList": return "a signature";
            case "PGPOnePassSignatureList": return "a signed message";
            default: return n;
        }
    }
}
