package io.backroute.pipeline;

import java.util.List;

/** Builds the standard-tools command line that restores an artifact, from its codec chain and kind. */
public final class RestoreHints {

    private RestoreHints() { }

    /** The decode part: {@code gpg --decrypt FILE | zstd -d}. */
    public static String decode(String file, List<String> extensions) {
        StringBuilder sb = new StringBuilder();
        boolean encrypted = extensions.contains("gpg");
        sb.append(encrypted ? "gpg --decrypt " + file : "cat " + file);
        if (extensions.contains("zst")) {
            sb.append(" | zstd -d");
        } else if (extensions.contains("gz")) {
            sb.append(" | gzip -d");
        }
        return sb.toString();
    }

    public static String restore(String file, List<String> extensions, String sourceKind, String artifactKind) {
        String decode = decode(file, extensions);
        return switch (artifactKind) {
            case "sqlite" -> decode + " > restored.sqlite && sqlite3 restored.sqlite 'PRAGMA integrity_check'";
            case "tar" -> "mkdir -p restored && " + decode + " | tar -x -C restored";
            case "pgdump" -> "createdb NEWDB && " + decode + " | pg_restore --no-owner -d NEWDB";
            case "sql" -> "mariadb".equals(sourceKind) || "mysql".equals(sourceKind)
                    ? "mariadb -e 'CREATE DATABASE NEWDB' && " + decode + " | mariadb NEWDB"
                    : decode + " | psql -d postgres";
            default -> decode + " > restored." + artifactKind;
        };
    }
}
