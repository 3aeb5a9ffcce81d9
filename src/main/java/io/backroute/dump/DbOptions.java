package io.backroute.dump;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Typed, never-throwing access to the string options of a database source, with problem reporting for validation. */
final class DbOptions {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final String kind;
    private final Map<String, String> raw;

    DbOptions(String kind, Map<String, String> options) {
        this.kind = kind;
        this.raw = options == null ? Map.of() : new LinkedHashMap<>(options);
    }

    Map<String, String> raw() {
        return raw;
    }

    String get(String key) {
        String v = raw.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    String get(String key, String def) {
        String v = get(key);
        return v == null ? def : v;
    }

    /** Password values are not trimmed: spaces can be part of a password. */
    String secret(String key) {
        String v = raw.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    void unknown(Set<String> known, List<String> problems) {
        for (String key : raw.keySet()) {
            if (!known.contains(key)) {
                problems.add(kind + " option " + key + ": unknown option; valid options are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    void required(String key, String example, List<String> problems) {
        if (get(key) == null) {
            problems.add(kind + " option " + key + ": missing; set " + key + "=" + example);
        }
    }

    int port(int def, List<String> problems) {
        String v = get("port");
        if (v == null) return def;
        try {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(kind + " option port: '" + v + "' is not a TCP port; use a number from 1 to 65535 (default " + def + ")");
        return def;
    }

    long nonNegativeLong(String key, long def, List<String> problems) {
        String v = get(key);
        if (v == null) return def;
        try {
            long n = Long.parseLong(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(kind + " option " + key + ": '" + v + "' is not a byte count; use a whole number >= 0 (default " + def + ")");
        return def;
    }

    Boolean bool(String key, Boolean def, List<String> problems) {
        String v = get(key);
        if (v == null) return def;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        problems.add(kind + " option " + key + ": '" + v + "' is not a boolean; use true or false");
        return def;
    }

    Duration duration(String key, Duration def, List<String> problems) {
        String v = get(key);
        if (v == null) return def;
        Duration d = parseDuration(v);
        if (d == null || d.isZero() || d.isNegative()) {
            problems.add(kind + " option " + key + ": '" + v + "' is not a duration; use e.g. 90s, 30m, 2h or PT2H");
            return def;
        }
        return d;
    }

    String oneOf(String key, String def, Collection<String> allowed, List<String> problems) {
        String v = get(key);
        if (v == null) return def;
        if (allowed.contains(v)) return v;
        problems.add(kind + " option " + key + ": '" + v + "' is not valid; use one of " + String.join(", ", allowed));
        return def;
    }

    List<String> list(String key) {
        return splitList(get(key));
    }

    void clientDir(List<String> problems) {
        String dir = get("clientDir");
        if (dir != null && !Files.isDirectory(Path.of(dir))) {
            problems.add(kind + " option clientDir: '" + dir + "' is not a directory; point it at the directory holding the client tools or remove it to use PATH");
        }
    }

    static List<String> splitList(String v) {
        if (v == null || v.isBlank()) return List.of();
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }

    /** Parses 500ms, 3s, 30m, 2h, 1d, combinations like 1h30m, or ISO-8601 (PT2H); null when not a duration. */
    static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            try {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                return null;
            }
        }
        Matcher m = DURATION.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end && !s.substring(end, m.start()).isBlank()) return null;
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
        }
        return end == s.length() && end > 0 ? total : null;
    }

    /** A private (0700) temporary directory for credential files; deleted with {@link #deleteTree}. */
    static Path privateTempDir(String prefix) throws IOException {
        return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Writes a 0600 file, the permissions set before any content is written. */
    static Path writePrivateFile(Path dir, String name, String content) throws IOException {
        Path f = Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return f;
    }

    static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(DbOptions.class).warn("could not delete temporary credentials directory {}: {}", dir, e.toString());
        }
    }

    /** Finds an executable: in clientDir when set, else the first of the PATH entries and extra directories. */
    static Path findTool(String dir, List<String> names, List<Path> extraDirs) {
        List<Path> dirs = new ArrayList<>();
        if (dir != null) {
            dirs.add(Path.of(dir));
        } else {
            String path = System.getenv("PATH");
            if (path != null) {
                Arrays.stream(path.split(java.io.File.pathSeparator)).filter(p -> !p.isBlank()).map(Path::of).forEach(dirs::add);
            }
            dirs.addAll(extraDirs);
        }
        for (String name : names) {
            for (Path d : dirs) {
                Path p = d.resolve(name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
        }
        return null;
    }
}
