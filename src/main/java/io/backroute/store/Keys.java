package io.backroute.store;

import java.util.List;
import java.util.Map;

/** Key checks and option helpers shared by the remote destination kinds. */
final class Keys {

    private Keys() { }

    /** Rejects keys that could escape the destination root or address a directory. */
    static String check(String destination, String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
            throw new DestinationException(destination, "invalid key: " + key, true, null);
        }
        for (String part : key.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new DestinationException(destination, "invalid key: " + key, true, null);
            }
        }
        return key;
    }

    /** A prefix as a directory below the root: "" for the root, otherwise without leading/trailing slashes. */
    static String dir(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    static String parent(String key) {
        int i = key.lastIndexOf('/');
        return i < 0 ? "" : key.substring(0, i);
    }

    static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** Joins non-empty path segments with '/'. */
    static String join(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (p == null || p.isEmpty()) {
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') {
                sb.append('/');
            }
            sb.append(p);
        }
        return sb.toString();
    }

    static String key(String name, String option) {
        return "backroute.destinations." + name + "." + option;
    }

    static void require(String name, Map<String, String> options, String option, String fix, List<String> problems) {
        String v = options.get(option);
        if (v == null || v.isBlank()) {
            problems.add(key(name, option) + ": missing; " + fix);
        }
    }

    static void port(String name, Map<String, String> options, List<String> problems) {
        String v = options.get("port");
        if (v == null || v.isBlank()) {
            return;
        }
        try {
            int p = Integer.parseInt(v.strip());
            if (p < 1 || p > 65535) {
                problems.add(key(name, "port") + ": " + v + " is not a TCP port; use 1-65535");
            }
        } catch (NumberFormatException e) {
            problems.add(key(name, "port") + ": " + v + " is not a number; use 1-65535");
        }
    }

    static void bool(String name, Map<String, String> options, String option, List<String> problems) {
        String v = options.get(option);
        if (v != null && !v.isBlank() && !v.strip().equalsIgnoreCase("true") && !v.strip().equalsIgnoreCase("false")) {
            problems.add(key(name, option) + ": " + v + " is not a boolean; use true or false");
        }
    }

    static void readableFile(String name, Map<String, String> options, String option, List<String> problems) {
        String v = options.get(option);
        if (v != null && !v.isBlank() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(v.strip()))) {
            problems.add(key(name, option) + ": " + v + " is not a readable file; fix the path or permissions");
        }
    }

    static String opt(Map<String, String> options, String option, String dflt) {
        String v = options.get(option);
        return v == null || v.isBlank() ? dflt : v.strip();
    }

    static int port(Map<String, String> options, int dflt) {
        return Integer.parseInt(opt(options, "port", String.valueOf(dflt)));
    }

    static boolean flag(Map<String, String> options, String option, boolean dflt) {
        return Boolean.parseBoolean(opt(options, option, String.valueOf(dflt)));
    }
}
