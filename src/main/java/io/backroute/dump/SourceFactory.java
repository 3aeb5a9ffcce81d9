package io.backroute.dump;

import io.backroute.BackupException;
import java.util.List;
import java.util.Map;

/** Creates a {@link Source} of a kind from its endpoint options ({@code dump:<kind>?...}). */
public final class SourceFactory {

    public static final List<String> KINDS = List.of("postgresql", "mariadb", "mysql", "sqlite", "directory");

    private SourceFactory() { }

    public static Source create(String kind, Map<String, String> options) {
        return switch (kind) {
            case "sqlite" -> SqliteSource.fromOptions(options);
            case "directory" -> DirectorySource.fromOptions(options);
            case "postgresql" -> PostgresSource.fromOptions(options);
            case "mariadb", "mysql" -> MariaDbSource.fromOptions(options);
            default -> throw new BackupException("dump", "unknown source kind '" + kind + "'; use one of " + KINDS);
        };
    }
}
