package io.backroute.catalog;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of runs, artifacts and manifests: builds them and recognises ours among foreign files at a destination.
 */
public final class ArtifactNames {

    /** Longest job id: it is a file name, a route id and part of every artifact key. */
    public static final int MAX_JOB_ID_LENGTH = 64;
    /** Codec extensions an artifact name may end with; anything else is not a codec and marks the kind. */
    public static final Set<String> CODEC_EXTENSIONS = Set.of("zst", "gz", "gpg");
    public static final String TEMP_SUFFIX = ".part";

    private static final Pattern JOB_ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern KIND = Pattern.compile("[a-z0-9]+");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_-]+");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);
    /** {@code [<job>/]<job>-<stamp>.<rest>}; the rest is split on dots by {@link #parse}. */
    private static final Pattern NAME = Pattern.compile(
            "(?:([a-z0-9]+(?:-[a-z0-9]+)*)/)?([a-z0-9]+(?:-[a-z0-9]+)*)-(\\d{8}T\\d{6}Z)\\.([a-z0-9_.-]+)");

    private ArtifactNames() {
    }

    /**
     * A recognised artifact or manifest key.
     *
     * @param job             job id
     * @param time            the run start to the second, as written in the name (retention reads manifests instead)
     * @param label           unit label or null
     * @param artifactKind    pgdump, sql, sqlite, tar, ...
     * @param codecExtensions codec extensions in order, e.g. [zst, gpg]
     * @param manifest        true when the key is the manifest of the artifact
     * @param artifactKey     the artifact's key (the key itself, or the key without the manifest suffix)
     */
    public record ParsedKey(String job, Instant time, String label, String artifactKind, List<String> codecExtensions,
                            boolean manifest, String artifactKey) {
    }

    /** {@code <job>-<yyyyMMdd'T'HHmmss'Z'>-<4 lowercase hex>}, UTC, truncated to the second. */
    public static String newRunId(String job, Instant start, RandomGenerator rnd) {
        requireJobId(job);
        return job + "-" + stamp(start) + "-" + String.format(Locale.ROOT, "%04x", rnd.nextInt(0x10000));
    }

    /** Kebab-case, lowercase letters and digits, at most {@value #MAX_JOB_ID_LENGTH} characters. */
    public static boolean isValidJobId(String job) {
        return job != null && job.length() <= MAX_JOB_ID_LENGTH && JOB_ID.matcher(job).matches();
    }

    /**
     * {@code <job>/<job>-<yyyyMMdd'T'HHmmss'Z'>[.<label>].<kind>.<ext>...}, e.g.
     * {@code orders-db/orders-db-20250102T030405Z.pgdump.zst.gpg}.
     *
     * @param label           unit label or null; lowercased, other characters than {@code [a-z0-9_-]} become '_'
     * @param codecExtensions extensions from {@link #CODEC_EXTENSIONS} in the order the codecs ran
     */
    public static String artifactKey(String job, Instant time, String label, String artifactKind,
                                     List<String> codecExtensions) {
        requireJobId(job);
        if (artifactKind == null || !KIND.matcher(artifactKind).matches() || CODEC_EXTENSIONS.contains(artifactKind)) {
            throw new IllegalArgumentException("artifact kind must be [a-z0-9]+ and not a codec extension, got '"
                    + artifactKind + "'");
        }
        StringBuilder key = new StringBuilder(job).append('/').append(job).append('-').append(stamp(time));
        String safeLabel = sanitizeLabel(label);
        if (safeLabel != null) {
            key.append('.').append(safeLabel);
        }
        key.append('.').append(artifactKind);
        for (String ext : codecExtensions) {
            if (!CODEC_EXTENSIONS.contains(ext)) {
                throw new IllegalArgumentException("unknown codec extension '" + ext + "', known: "
                        + CODEC_EXTENSIONS.stream().sorted().toList());
            }
            key.append('.').append(ext);
        }
        return key.toString();
    }

    /** Lowercases and replaces characters outside {@code [a-z0-9_-]} by '_'; null or blank gives null. */
    public static String sanitizeLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        StringBuilder out = new StringBuilder(label.length());
        for (char c : label.strip().toLowerCase(Locale.ROOT).toCharArray()) {
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            out.append(ok ? c : '_');
        }
        return out.toString();
    }

    /** The manifest's key: the artifact key plus {@value Manifest#SUFFIX}. */
    public static String manifestKey(String artifactKey) {
        return artifactKey + Manifest.SUFFIX;
    }

    /** True for names of uploads in progress (or abandoned), which are never artifacts. */
    public static boolean isTempName(String key) {
        return key != null && key.endsWith(TEMP_SUFFIX);
    }

    /**
     * Recognises {@code [<job>/]<job>-<stamp>[.<label>].<kind>[.<codec>...][.manifest.json]}; everything else
     * (foreign files, temp files, other jobs' directories) is empty.
     */
    public static Optional<ParsedKey> parse(String key) {
        if (key == null || isTempName(key)) {
            return Optional.empty();
        }
        boolean manifest = key.endsWith(Manifest.SUFFIX);
        String artifactKey = manifest ? key.substring(0, key.length() - Manifest.SUFFIX.length()) : key;
        Matcher m = NAME.matcher(artifactKey);
        if (!m.matches()) {
            return Optional.empty();
        }
        String dir = m.group(1);
        String job = m.group(2);
        if ((dir != null && !dir.equals(job)) || job.length() > MAX_JOB_ID_LENGTH) {
            return Optional.empty();
        }
        Instant time;
        try {
            time = LocalDateTime.parse(m.group(3), STAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return Optional.empty();
        }
        List<String> parts = List.of(m.group(4).split("\\.", -1));
        int end = parts.size();
        while (end > 0 && CODEC_EXTENSIONS.contains(parts.get(end - 1))) {
            end--;
        }
        List<String> codecs = List.copyOf(parts.subList(end, parts.size()));
        if (end == 0 || end > 2) {
            return Optional.empty();
        }
        String kind = parts.get(end - 1);
        String label = end == 2 ? parts.get(0) : null;
        if (!KIND.matcher(kind).matches() || (label != null && !LABEL.matcher(label).matches())) {
            return Optional.empty();
        }
        return Optional.of(new ParsedKey(job, time, label, kind, codecs, manifest, artifactKey));
    }

    private static String stamp(Instant time) {
        return STAMP.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    private static void requireJobId(String job) {
        if (!isValidJobId(job)) {
            throw new IllegalArgumentException("job id must be kebab-case [a-z0-9]+(-[a-z0-9]+)*, at most "
                    + MAX_JOB_ID_LENGTH + " characters, got '" + job + "'");
        }
    }
}
