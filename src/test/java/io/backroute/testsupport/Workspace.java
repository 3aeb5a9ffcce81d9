package io.backroute.testsupport;

import io.backroute.BackrouteService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A throw-away Backroute installation for one test: data, staging, catalog, keys and a local destination under a
 * temp directory, the project's real routes plus optional test routes, and property overrides.
 */
public final class Workspace {

    public final Path root;
    public final Path data;
    public final Path backups;
    public final Path keys;
    public final Map<String, String> props = new LinkedHashMap<>();

    public Workspace(Path root, String... extraRoutePatterns) throws IOException {
        this.root = root;
        this.data = Files.createDirectories(root.resolve("data"));
        this.backups = root.resolve("backups");
        this.keys = root.resolve("keys");
        props.put("backroute.data-dir", data.toString());
        props.put("backroute.staging-dir", data.resolve("staging").toString());
        props.put("backroute.catalog.file", data.resolve("catalog.db").toString());
        props.put("backroute.destinations.local.path", backups.toString());
        props.put("backroute.demo.keys-dir", keys.toString());
        props.put("backroute.delivery.backoff", "10ms");
        props.put("backroute.delivery.max-backoff", "20ms");
        props.put("jobs.demo.sqlite", data.resolve("demo/demo.sqlite").toString());
        props.put("jobs.demo.directory", data.resolve("demo/files").toString());
        props.put("jobs.demo.recipients", keys.resolve("demo-public.asc").toString());
        copyDemoKeys(keys);
        // retention policies of the test-only jobs (every job must have one)
        for (String job : new String[] {"gated", "fanout", "misfit", "pgjob", "mariadbjob", "two-places", "missed", "pgslow"}) {
            props.put("jobs." + job + ".retention.keep-last", "10");
        }
        for (String job : new String[] {"pgjob", "mariadbjob", "pgslow"}) {
            // placeholders of the database test jobs; tests that run them set real values
            for (String k : new String[] {"host", "port", "database", "user", "password"}) {
                props.putIfAbsent("jobs." + job + "." + k, k.equals("port") ? "1" : "unset");
            }
        }
        StringBuilder routes = new StringBuilder("file:routes/pipeline/*.camel.yaml,file:routes/jobs/*.camel.yaml");
        for (String p : extraRoutePatterns) {
            routes.append(",").append(p);
        }
        props.put("camel.main.routes-include-pattern", routes.toString());
    }

    private static Path sharedKeys;

    /** RSA key generation takes seconds: generate the demo pair once per test JVM and copy it. */
    private static synchronized void copyDemoKeys(Path target) throws IOException {
        if (sharedKeys == null) {
            Path dir = Files.createTempDirectory("shared-demo-keys");
            io.backroute.codec.DemoKeys.ensure(dir);
            sharedKeys = dir;
        }
        Files.createDirectories(target);
        for (String f : new String[] {io.backroute.codec.DemoKeys.PUBLIC_FILE, io.backroute.codec.DemoKeys.SECRET_FILE}) {
            Files.copy(sharedKeys.resolve(f), target.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public Workspace set(String key, String value) {
        props.put(key, value);
        return this;
    }

    public BackrouteService service() {
        return new BackrouteService(Path.of("config/application.properties"), false, props);
    }

    public Path stagingDir() {
        return data.resolve("staging");
    }

    /** Writes the properties file a CLI process would use: the real file plus this workspace's overrides. */
    public Path writeConfig() throws IOException {
        Path cfg = root.resolve("application.properties");
        StringBuilder sb = new StringBuilder(Files.readString(Path.of("config/application.properties")));
        sb.append("\n# test overrides\n");
        props.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(cfg, sb.toString());
        return cfg;
    }
}
