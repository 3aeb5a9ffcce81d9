package io.backroute.config;

import io.backroute.pipeline.Units;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.camel.CamelContext;

/**
 * Typed view of the {@code backroute.*} properties (config/application.properties, overridable by env and
 * system properties through Camel's property placeholders). Every key is documented in that file.
 */
public final class BackrouteConfig {

    public static final String DESTINATIONS_PREFIX = "backroute.destinations.";

    private final CamelContext camel;

    public BackrouteConfig(CamelContext camel) {
        this.camel = camel;
    }

    public Optional<String> get(String key) {
        return camel.getPropertiesComponent().resolveProperty(key);
    }

    public String get(String key, String def) {
        return get(key).filter(s -> !s.isBlank()).orElse(def);
    }

    public Path dataDir() { return Path.of(get("backroute.data-dir", "data")); }

    public Path stagingDir() { return Path.of(get("backroute.staging-dir", dataDir().resolve("staging").toString())); }

    public Path catalogFile() { return Path.of(get("backroute.catalog.file", dataDir().resolve("catalog.db").toString())); }

    public int deliveryAttempts() { return Integer.parseInt(get("backroute.delivery.attempts", "4")); }

    public Duration deliveryBackoff() { return Units.parseDuration(get("backroute.delivery.backoff", "2s")); }

    public Duration deliveryMaxBackoff() { return Units.parseDuration(get("backroute.delivery.max-backoff", "60s")); }

    public Duration tempGrace() { return Units.parseDuration(get("backroute.delivery.temp-grace", "6h")); }

    public long stagingMinFreeBytes() { return Long.parseLong(get("backroute.staging.min-free-bytes", "104857600")); }

    /** Properties below a prefix, with the prefix removed (e.g. {@code jobs.demo.retention.}). */
    public Map<String, String> withPrefix(String prefix) {
        Properties p = camel.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix));
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            String rest = k.substring(prefix.length());
            if (!rest.contains(".")) {
                m.put(rest, camel.resolvePropertyPlaceholders(p.getProperty(k)));
            }
        }
        return m;
    }

    /** The retention properties of a job ({@code jobs.<job>.retention.<key>}). */
    public Map<String, String> retention(String job) {
        return withPrefix("jobs." + job + ".retention.");
    }

    /** A destination's retention overrides for a job ({@code jobs.<job>.destinations.<dest>.retention.<key>}). */
    public Map<String, String> retentionOverrides(String job, String destination) {
        return withPrefix("jobs." + job + ".destinations." + destination + ".retention.");
    }

    public Duration orphanGrace() { return Units.parseDuration(get("backroute.retention.orphan-grace", "6h")); }

    /** Destination names declared in config, sorted. */
    public List<String> destinationNames() {
        Properties p = camel.getPropertiesComponent().loadProperties(k -> k.startsWith(DESTINATIONS_PREFIX));
        TreeSet<String> names = new TreeSet<>();
        for (String k : p.stringPropertyNames()) {
            String rest = k.substring(DESTINATIONS_PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot > 0) {
                names.add(rest.substring(0, dot));
            }
        }
        return List.copyOf(names);
    }

    /** Raw (unresolved) options of one destination: option name to value. */
    public Map<String, String> destinationOptionsRaw(String name) {
        String prefix = DESTINATIONS_PREFIX + name + ".";
        Properties p = camel.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix));
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k.substring(prefix.length()), p.getProperty(k));
        }
        return m;
    }

    /** {@code backroute.destinations.<name>.timeout}: the deadline of one delivery to that destination, if set. */
    public Optional<Duration> destinationTimeout(String name) {
        String v = destinationOptionsRaw(name).get("timeout");
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Units.parseDuration(camel.resolvePropertyPlaceholders(v)));
    }

    /** Options of one destination with placeholders ({{env:...}}) resolved; throws when one cannot be. */
    public Map<String, String> destinationOptions(String name) {
        Map<String, String> m = new TreeMap<>();
        destinationOptionsRaw(name).forEach((k, v) -> m.put(k, camel.resolvePropertyPlaceholders(v)));
        return m;
    }

    /**
     * Every property below a prefix at any depth, prefix removed, placeholders ({{env:...}}) resolved; e.g.
     * {@code jobs.demo.drill.} gives {@code cron}, {@code assert.1.sql}, ...
     */
    public Map<String, String> tree(String prefix) {
        Properties p = camel.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix));
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k.substring(prefix.length()), camel.resolvePropertyPlaceholders(p.getProperty(k)));
        }
        return m;
    }
}
