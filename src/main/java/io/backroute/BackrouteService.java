package io.backroute;

import io.backroute.camel.CodecComponent;
import io.backroute.camel.DumpComponent;
import io.backroute.camel.JobComponent;
import io.backroute.camel.StoreComponent;
import io.backroute.catalog.RunCatalog;
import io.backroute.catalog.SqliteRunCatalog;
import io.backroute.codec.DemoKeys;
import io.backroute.config.BackrouteConfig;
import io.backroute.config.ConfigurationException;
import io.backroute.config.StartupValidator;
import io.backroute.dump.DemoData;
import io.backroute.management.OpsSurface;
import io.backroute.management.RemoteJmx;
import io.backroute.pipeline.DrillRunner;
import io.backroute.pipeline.FanOut;
import io.backroute.pipeline.KeyCanaryRunner;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.RunPolicy;
import io.backroute.store.Destinations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Backroute service: camel-main with the configuration file, every route under routes/, Backroute's
 * components ({@code dump:}, {@code codec:}, {@code store:}, {@code job:}), run bookkeeping, startup validation
 * and the job MBeans. Used by the long-running service and by every CLI command.
 */
public final class BackrouteService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackrouteService.class);

    private final Main main;
    private final boolean scheduling;
    private volatile JobRuntime runtime;
    private volatile OpsSurface ops;
    private volatile RuntimeException startupFailure;
    private volatile io.backroute.alert.AlertService alerts;
    private final Map<String, Object> beans = new LinkedHashMap<>();

    /**
     * @param configFile the properties file
     * @param scheduling false for CLI commands: the Quartz scheduler does not fire (run-now runs in-process)
     * @param overrides  extra properties that win over the file (tests, CLI flags)
     */
    public BackrouteService(Path configFile, boolean scheduling, Map<String, String> overrides) {
        this.scheduling = scheduling;
        this.main = new Main();
        main.setDefaultPropertyPlaceholderLocation("file:" + configFile.toAbsolutePath());
        if (!Files.isRegularFile(configFile)) {
            throw new ConfigurationException(List.of("configuration file " + configFile.toAbsolutePath()
                    + " does not exist; pass --config FILE or set BACKROUTE_CONFIG"));
        }
        Map<String, String> props = new LinkedHashMap<>();
        if (!scheduling) {
            props.put("camel.component.quartz.auto-start-scheduler", "false");
            // A CLI command lives seconds: its freshness findings would be noise (the service reports them).
            props.put("backroute.watchdog.enabled", "false");
            // A CLI command must not take the running service's HTTP ports: its own servers get free loopback ports.
            props.put("camel.server.host", "127.0.0.1");
            props.put("camel.server.port", "0");
            props.put("camel.management.host", "127.0.0.1");
            props.put("camel.management.port", "0");
            props.put(RemoteJmx.PORT, "");
        }
        props.putAll(overrides);
        props.forEach(main::addOverrideProperty);
        main.addMainListener(new Lifecycle());
    }

    /**
     * A service for one CLI command: no scheduling, and nothing a command that lives seconds has a use for: no
     * HTTP server (status page, health, metrics), no Micrometer registry and no Camel JMX MBeans (the job MBeans
     * of the running service are what ops look at). Saves about a third of the start-up CPU of every command.
     */
    public static BackrouteService forCommand(Path configFile) {
        Map<String, String> lean = new LinkedHashMap<>();
        lean.put("camel.server.enabled", "false");
        lean.put("camel.management.enabled", "false");
        lean.put("camel.metrics.enabled", "false");
        lean.put("camel.main.jmx-enabled", "false");
        // the status page route needs the HTTP server: leave it out (keeping any exclusion the file makes)
        String exclude = STATUS_ROUTE_EXCLUDE;
        if (Files.isRegularFile(configFile)) {
            java.util.Properties p = new java.util.Properties();
            try (var in = Files.newBufferedReader(configFile)) {
                p.load(in);
            } catch (java.io.IOException | IllegalArgumentException e) {
                // unreadable: the constructor's validation reports it
            }
            String own = p.getProperty("camel.main.routes-exclude-pattern", "").trim();
            if (!own.isEmpty()) {
                exclude = own + "," + exclude;
            }
        }
        lean.put("camel.main.routes-exclude-pattern", exclude);
        return new BackrouteService(configFile, false, lean);
    }

    /** Route files CLI commands leave out (see {@link #forCommand}). */
    static final String STATUS_ROUTE_EXCLUDE = "**/status.camel.yaml";

    public static String version() {
        String v = BackrouteService.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Binds a bean into the Camel registry before the routes start (tests, embedding applications). */
    public BackrouteService bind(String name, Object bean) {
        beans.put(name, bean);
        return this;
    }

    /** Starts Camel (validating first); throws {@link ConfigurationException} listing every problem. */
    public void start() {
        try {
            main.start();
        } catch (RuntimeException e) {
            throw unwrap(e);
        }
        if (startupFailure != null) {
            throw startupFailure;
        }
        if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
            throw new IllegalStateException("Camel did not start; see the log above");
        }
    }

    /** Runs as a service until stopped (SIGTERM / Ctrl-C). */
    public void runUntilStopped() throws Exception {
        main.run();
        if (startupFailure != null) {
            throw startupFailure;
        }
    }

    public JobRuntime runtime() { return runtime; }

    public CamelContext camel() { return main.getCamelContext(); }

    public Main main() { return main; }

    /** JMX, health, metrics and status page of this service (available once started). */
    public OpsSurface ops() { return ops; }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping Camel: {}", e.getMessage());
        }
    }

    private RuntimeException unwrap(RuntimeException e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof ConfigurationException ce) {
                return ce;
            }
            t = t.getCause();
        }
        return e;
    }

    private final class Lifecycle extends MainListenerSupport {

        @Override
        public void beforeConfigure(BaseMainSupport m) {
            CamelContext camel = m.getCamelContext();
            BackrouteConfig config = new BackrouteConfig(camel);
            RunCatalog catalog = new SqliteRunCatalog(config.catalogFile());
            JobRuntime rt = new JobRuntime(camel, config, catalog, new Destinations(config, camel), version());
            runtime = rt;
            camel.getRegistry().bind("backroute", rt);
            ops = new OpsSurface(rt);
            camel.getRegistry().bind(OpsSurface.STATUS_PAGE_BEAN, ops.statusPage());
            camel.getRegistry().bind("backrouteFanOut", new FanOut(rt));
            camel.getRegistry().bind("backrouteRetention", new io.backroute.pipeline.RetentionRunner(rt).listen());
            camel.getRegistry().bind("backrouteDrills", new DrillRunner(rt));
            camel.getRegistry().bind("backrouteCanary", new KeyCanaryRunner(rt));
            camel.addComponent("dump", new DumpComponent());
            camel.addComponent("codec", new CodecComponent());
            camel.addComponent("store", new StoreComponent(rt));
            camel.addComponent("job", new JobComponent(rt));
            camel.addRoutePolicyFactory(new RunPolicy.Factory(rt));
            alerts = io.backroute.alert.AlertService.install(camel, rt);
            io.backroute.alert.Watchdog watchdog = io.backroute.alert.Watchdog.install(camel, rt, alerts);
            // the ops surface (JMX, metrics, status page, health) shows the watchdog's freshness and the alert counters
            watchdog.pausedBy(job -> ops.view().control().isPaused(job));
            boolean ownFreshness = beans.values().stream().anyMatch(b -> b instanceof io.backroute.management.FreshnessSource);
            if (!ownFreshness) camel.getRegistry().bind("backrouteFreshness", io.backroute.management.FreshnessSource.class,
                    (io.backroute.management.FreshnessSource) job -> {
                        var f = watchdog.freshness(job);
                        return java.util.Optional.of(new io.backroute.management.Freshness(f.state(), f.age(), f.maxAge()));
                    });
            io.backroute.alert.AlertStats stats = alerts.stats();
            camel.getRegistry().bind("backrouteAlertCounts", io.backroute.management.AlertCounts.class,
                    new io.backroute.management.AlertCounts() {
                        @Override
                        public long sent(String job) { return stats.sent(job); }

                        @Override
                        public long failed(String job) { return stats.failed(job); }
                    });
            // beans bound by the embedding application or a test come last, so they replace ours of the same name
            beans.forEach(camel.getRegistry()::bind);
            try {
                camel.addStartupListener(new org.apache.camel.ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                    // work happens once routes are up, below
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                    afterCamelStarted();
                }
            });
                camel.addService(new org.apache.camel.support.service.ServiceSupport() {
                    @Override
                    protected void doStop() {
                        beforeCamelStopped();
                    }
                }, true, true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void afterConfigure(BaseMainSupport m) {
            CamelContext camel = m.getCamelContext();
            bootstrapDemo(camel);
            List<String> problems = new java.util.ArrayList<>(new StartupValidator(camel).validate());
            problems.addAll(alerts.validate());
            problems.addAll(RemoteJmx.problems(runtime.config()));
            DrillRunner drills = camel.getRegistry().lookupByNameAndType("backrouteDrills", DrillRunner.class);
            KeyCanaryRunner canary = camel.getRegistry().lookupByNameAndType("backrouteCanary", KeyCanaryRunner.class);
            problems.addAll(drills.validate());
            problems.addAll(canary.validate());
            if (!problems.isEmpty()) {
                alerts.startupFailed(problems);
                startupFailure = new ConfigurationException(problems);
                throw startupFailure;
            }
            addScheduledRoutes(camel, drills, canary);
        }

    }

    /** One drill route per job with a drill cron, and the key canary check when it has a cron, from their templates. */
    private void addScheduledRoutes(CamelContext camel, DrillRunner drills, KeyCanaryRunner canary) {
        try {
            for (String job : drills.drilledJobs()) {
                var spec = drills.spec(job).orElseThrow();
                if (spec.cron() != null) {
                    org.apache.camel.builder.TemplatedRouteBuilder.builder(camel, DrillRunner.TEMPLATE)
                            .routeId(DrillRunner.ROUTE_PREFIX + job).prefixId(DrillRunner.ROUTE_PREFIX + job + "-")
                            .parameter("job", job).parameter("cron", spec.cron()).add();
                }
            }
            canary.cron().ifPresent(cron -> org.apache.camel.builder.TemplatedRouteBuilder
                    .builder(camel, KeyCanaryRunner.TEMPLATE).routeId(KeyCanaryRunner.TEMPLATE)
                    .prefixId(KeyCanaryRunner.TEMPLATE + "-").parameter("cron", cron).add());
        } catch (RuntimeException e) {
            startupFailure = new ConfigurationException(List.of("cannot create the drill / key canary routes: " + e.getMessage()));
            throw startupFailure;
        }
    }

    private void afterCamelStarted() {
        if (scheduling) {
            // only the service owns the catalog's RUNNING runs and the staging directory: a CLI command started
            // beside a running service must not touch them
            int interrupted = runtime.catalog().markInterrupted("interrupted: the service stopped or crashed during the run");
            if (interrupted > 0) {
                LOG.warn("{} run(s) were RUNNING when the service last stopped; marked FAILED", interrupted);
            }
            cleanStaleStaging();
        }
        ops.start();
        if (scheduling) {
            for (String job : runtime.jobIds()) {
                LOG.info("job {} scheduled: {} (next {})", job, runtime.schedule(job),
                        runtime.nextFireTime(job).map(Object::toString).orElse("none"));
            }
        }
    }

    /** Staging run directories left by a crashed or killed service hold only ciphertext, but still take room. */
    private void cleanStaleStaging() {
        java.nio.file.Path staging = runtime.config().stagingDir();
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (var dirs = Files.list(staging)) {
            for (java.nio.file.Path d : (Iterable<java.nio.file.Path>) dirs.filter(Files::isDirectory)::iterator) {
                LOG.warn("removing staging directory {} left by an interrupted run", d);
                io.backroute.pipeline.Staging.clean(d);
            }
        } catch (java.io.IOException e) {
            LOG.warn("could not clean the staging directory {}: {}", staging, e.getMessage());
        }
    }

    private void beforeCamelStopped() {
        if (runtime != null) {
            runtime.interruptActive();
        }
        if (ops != null) {
            ops.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private void bootstrapDemo(CamelContext camel) {
        BackrouteConfig config = runtime.config();
        if (!Boolean.parseBoolean(config.get("backroute.demo.bootstrap", "false")) || !runtime.isJob("demo")) {
            return;
        }
        config.get("jobs.demo.sqlite").ifPresent(sqlite -> config.get("jobs.demo.directory")
                .ifPresent(dir -> DemoData.ensure(Path.of(sqlite), Path.of(dir))));
        String recipients = config.get("jobs.demo.recipients", "");
        if (!recipients.isBlank() && !recipients.contains(",") && !Files.exists(Path.of(recipients))) {
            Path keysDir = Path.of(config.get("backroute.demo.keys-dir", "data/demo-keys"));
            Path generated;
            try {
                generated = DemoKeys.ensure(keysDir);
            } catch (java.io.IOException e) {
                throw new ConfigurationException(List.of("cannot generate the demo key pair in " + keysDir + ": " + e.getMessage()));
            }
            if (!generated.toAbsolutePath().normalize().equals(Path.of(recipients).toAbsolutePath().normalize())) {
                LOG.warn("demo key generated at {} but jobs.demo.recipients points to {}", generated, recipients);
            }
        }
    }
}
