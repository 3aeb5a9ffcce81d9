package io.backroute.store;

import io.backroute.config.BackrouteConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;

/**
 * The destinations declared in config ({@code backroute.destinations.<name>.kind} plus options), created
 * on first use and closed with the service.
 */
public final class Destinations implements AutoCloseable {

    private static final List<DestinationProvider> PROVIDERS = List.of(new LocalDestination.Provider(),
            new S3Destination.Provider(), new FtpDestination.Provider(), new FtpDestination.FtpsProvider(),
            new SftpDestination.Provider(), new SmbDestination.Provider());

    private final BackrouteConfig config;
    private final CamelContext camel;
    private final Map<String, Destination> open = new ConcurrentHashMap<>();

    public Destinations(BackrouteConfig config, CamelContext camel) {
        this.config = config;
        this.camel = camel;
    }

    public static Optional<DestinationProvider> provider(String kind) {
        return PROVIDERS.stream().filter(p -> p.kind().equals(kind)).findFirst();
    }

    public static List<String> kinds() {
        return PROVIDERS.stream().map(DestinationProvider::kind).toList();
    }

    public List<String> names() {
        return config.destinationNames();
    }

    /** Adds problems of one destination's configuration. */
    public void validate(String name, List<String> problems) {
        Map<String, String> raw = config.destinationOptionsRaw(name);
        if (raw.isEmpty()) {
            problems.add("destination '" + name + "' is not declared: add backroute.destinations." + name
                    + ".kind (one of " + kinds() + ") and its options to config/application.properties");
            return;
        }
        String kind = raw.get("kind");
        Optional<DestinationProvider> p = kind == null ? Optional.empty() : provider(kind);
        if (p.isEmpty()) {
            problems.add(BackrouteConfig.DESTINATIONS_PREFIX + name + ".kind: '" + kind + "' is not a destination kind; use one of " + kinds());
            return;
        }
        Map<String, String> resolved;
        try {
            resolved = config.destinationOptions(name);
        } catch (RuntimeException e) {
            problems.add(BackrouteConfig.DESTINATIONS_PREFIX + name + ": " + e.getMessage()
                    + " (set the environment variable or file it refers to)");
            return;
        }
        p.get().validate(name, resolved, problems);
        validateTimeout(name, resolved.get("timeout"), problems);
    }

    /** The delivery deadline, common to every kind: a duration with its unit. */
    static void validateTimeout(String name, String timeout, List<String> problems) {
        if (timeout == null || timeout.isBlank()) {
            return;
        }
        String key = BackrouteConfig.DESTINATIONS_PREFIX + name + ".timeout";
        String v = timeout.strip();
        if (!v.matches("\\d+(ms|s|m|h|d)")) {
            problems.add(key + ": " + v + " is not a duration with a unit; use e.g. 90m or 6h (the whole delivery's deadline"
                    + (v.matches("\\d+") ? "; an SMB request timeout in ms is now socketTimeout" : "") + ")");
        } else if (v.matches("0+(ms|s|m|h|d)")) {
            problems.add(key + ": must be greater than zero");
        }
    }

    public Destination get(String name) {
        return open.computeIfAbsent(name, n -> {
            Map<String, String> options = config.destinationOptions(n);
            DestinationProvider p = provider(options.getOrDefault("kind", "?")).orElseThrow(() ->
                    new DestinationException(n, "unknown destination kind " + options.get("kind"), true, null));
            return p.create(n, options, camel);
        });
    }

    @Override
    public void close() {
        open.values().forEach(d -> {
            try {
                d.close();
            } catch (Exception ignored) {
                // closing connections on shutdown only
            }
        });
        open.clear();
    }
}
