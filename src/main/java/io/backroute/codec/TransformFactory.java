package io.backroute.codec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates codec stages from {@code codec:<name>} endpoint options and validates them:
 * {@code zstd} (level 1..19, default 3; workers 0..16, default 2), {@code gzip} (level 1..9, default 6),
 * {@code openpgp} (recipients: comma separated public key files).
 */
public final class TransformFactory {

    public static final List<String> CODECS = List.of("zstd", "gzip", "openpgp");

    private TransformFactory() { }

    public static List<String> validate(String codec, Map<String, String> options) {
        List<String> problems = new ArrayList<>();
        switch (codec) {
            case "zstd" -> {
                known(options, Set.of("level", "workers"), problems);
                intIn(options, "level", 1, 19, problems);
                intIn(options, "workers", 0, 16, problems);
            }
            case "gzip" -> {
                known(options, Set.of("level"), problems);
                intIn(options, "level", 1, 9, problems);
            }
            case "openpgp" -> {
                known(options, Set.of("recipients"), problems);
                String r = options.get("recipients");
                if (r == null || r.isBlank()) {
                    problems.add("recipients: missing; give the public key file(s) the artifacts are encrypted to");
                } else {
                    problems.addAll(OpenPgpKeys.validate(paths(r)));
                }
            }
            default -> problems.add("unknown codec '" + codec + "'; use one of " + CODECS);
        }
        return problems;
    }

    public static Transform create(String codec, Map<String, String> options) {
        List<String> problems = validate(codec, options);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("codec:" + codec + ": " + String.join("; ", problems));
        }
        return switch (codec) {
            case "zstd" -> Codecs.zstd(Integer.parseInt(options.getOrDefault("level", "3")),
                    Integer.parseInt(options.getOrDefault("workers", "2")));
            case "gzip" -> Codecs.gzip(Integer.parseInt(options.getOrDefault("level", "6")));
            case "openpgp" -> OpenPgpEncryption.forKeyFiles(paths(options.get("recipients")));
            default -> throw new IllegalArgumentException("unknown codec " + codec);
        };
    }

    private static List<Path> paths(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    private static void known(Map<String, String> options, Set<String> known, List<String> problems) {
        for (String k : options.keySet()) {
            if (!known.contains(k)) {
                problems.add("unknown option '" + k + "'; known: " + known);
            }
        }
    }

    private static void intIn(Map<String, String> options, String key, int min, int max, List<String> problems) {
        String v = options.get(key);
        if (v == null) {
            return;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                problems.add(key + "=" + v + " is out of range " + min + ".." + max);
            }
        } catch (NumberFormatException e) {
            problems.add(key + "=" + v + " is not a number");
        }
    }
}
