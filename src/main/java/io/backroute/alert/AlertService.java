package io.backroute.alert;

import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.config.BackrouteConfig;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.Units;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns run records and findings into alerts and hands them to the alert route ({@code direct:alert}) on its own
 * thread, after the dedupe window; bound as {@code backrouteAlerts}, with the mail rendering and channel list the
 * route calls back.
 */
public final class AlertService {

    public static final String BEAN = "backrouteAlerts";
    public static final String STATS_BEAN = "backrouteAlertStats";
    public static final String OUTCOME_BEAN = "backrouteAlertOutcome";
    public static final String ALERT_PROPERTY = "backrouteAlert";
    public static final String MAIL_CHANNEL = "direct:alert-mail";
    public static final String MAIL_ENDPOINT_PROPERTY = "backroute.alert.mail.endpoint";
    static final String ALERT_ENDPOINT = "direct:alert";
    static final String SSL_BEAN = "backrouteAlertMailSsl";

    private static final Logger LOG = LoggerFactory.getLogger("io.backroute.alert");
    private static final int QUEUE = 1000;

    private final CamelContext camel;
    private final JobRuntime runtime;
    private final BackrouteConfig config;
    private final Clock clock;
    private final String host;
    private final AlertStats stats = new AlertStats();
    private final AlertGate gate;
    private final ThreadPoolExecutor executor;
    private final List<String> problems = new ArrayList<>();
    private volatile String mailUri;
    private volatile ProducerTemplate template;

    AlertService(CamelContext camel, JobRuntime runtime, Clock clock) {
        this.camel = camel;
        this.runtime = runtime;
        this.config = runtime.config();
        this.clock = clock;
        this.host = hostName();
        this.gate = new AlertGate(duration("backroute.alert.dedupe-window", "1h"), clock);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "backroute-alert");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Wires alerting into a Camel context before its routes are built: binds the beans the alert route uses, defines
     * the mail endpoint property, listens to every finished run, and drains queued alerts when Camel stops.
     */
    /**
     * Raises a finding about a job (retention, drill, key canary) through the service bound in the registry; when
     * none is bound (a context without the alert route) it is logged at ERROR instead. Never throws.
     */
    public static void raise(JobRuntime runtime, AlertKind kind, String job, String summary, String error,
                             java.util.Map<String, String> facts) {
        AlertService alerts = runtime.camel().getRegistry().lookupByNameAndType(BEAN, AlertService.class);
        if (alerts == null) {
            LOG.error("{} {}: {} {}", kind, job == null ? "" : job, summary, error == null ? "" : error);
            return;
        }
        alerts.raise(Alert.ofFinding(kind, job, alerts.clock().instant(), alerts.host(), summary, error,
                job == null ? null : runtime.catalog().lastGood(job).map(r -> r.end() == null ? r.start() : r.end()).orElse(null),
                job == null ? null : runtime.nextFireTime(job).orElse(null), facts));
    }

    public static AlertService install(CamelContext camel, JobRuntime runtime) {
        AlertService s = new AlertService(camel, runtime, Clock.systemUTC());
        camel.getRegistry().bind(BEAN, s);
        camel.getRegistry().bind(STATS_BEAN, s.stats);
        camel.getRegistry().bind(OUTCOME_BEAN, new AlertOutcome(s.stats));
        s.configureMail();
        runtime.addListener(s::onRun);
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                s.drain();
            }
        });
        return s;
    }

    public AlertStats stats() { return stats; }

    public Clock clock() { return clock; }

    public String host() { return host; }

    // ---- run records

    /** Run listener: failures (deduplicated), the first success after failures, and opted-in successes. */
    public void onRun(RunRecord r) {
        Instant lastSuccess = runtime.catalog().lastGood(r.job()).map(g -> g.end() == null ? g.start() : g.end()).orElse(null);
        Instant next = runtime.nextFireTime(r.job()).orElse(null);
        switch (r.status()) {
            case FAILED -> raise(Alert.ofRun(AlertKind.FAILED, r, clock.instant(), host, lastSuccess, next));
            case PARTIAL -> raise(Alert.ofRun(AlertKind.PARTIAL, r, clock.instant(), host, lastSuccess, next));
            case SKIPPED -> raise(Alert.ofRun(AlertKind.SKIPPED, r, clock.instant(), host, lastSuccess, next));
            case SUCCESS -> {
                if (previousFailed(r)) {
                    gate.forgetJob(r.job());
                    raise(Alert.ofRun(AlertKind.RECOVERED, r, clock.instant(), host, lastSuccess, next));
                } else if (Boolean.parseBoolean(config.get("jobs." + r.job() + ".notify-success", "false"))) {
                    raise(Alert.ofRun(AlertKind.SUCCESS, r, clock.instant(), host, lastSuccess, next));
                }
            }
            default -> { }
        }
    }

    /** The run before this one (overlap skips aside) failed or was partial: read from the catalog, so it survives restarts. */
    private boolean previousFailed(RunRecord r) {
        boolean seen = false;
        for (RunRecord h : runtime.catalog().history(r.job(), 50)) {
            if (h.runId().equals(r.runId())) {
                seen = true;
                continue;
            }
            if (!seen || h.status() == RunStatus.SKIPPED || h.status() == RunStatus.RUNNING) {
                continue;
            }
            return h.status() == RunStatus.FAILED || h.status() == RunStatus.PARTIAL;
        }
        return false;
    }

    // ---- sending

    /** Queues an alert for the alert route; never blocks and never throws towards the caller (the backup path). */
    public void raise(Alert alert) {
        if (!gate.admit(alert)) {
            stats.recordSuppressed(alert.job());
            LOG.info("alert suppressed (same failure already alerted within {}): {}", gate.window(), alert.subject());
            return;
        }
        try {
            executor.execute(() -> deliver(alert));
        } catch (RejectedExecutionException e) {
            stats.recordFailed(alert.job());
            LOG.error("alert could not be queued ({} alerts waiting, or the service is stopping): {}", executor.getQueue().size(),
                    alert.subject());
        }
    }

    private void deliver(Alert alert) {
        try {
            if (camel.getRoute("alert") == null) {
                throw new IllegalStateException("route 'alert' is missing (routes/pipeline/alert.camel.yaml)");
            }
            ProducerTemplate t = template;
            if (t == null) {
                t = camel.createProducerTemplate();
                template = t;
            }
            t.sendBody(ALERT_ENDPOINT, alert);
        } catch (RuntimeException e) {
            stats.recordFailed(alert.job());
            LOG.error("alert could not be delivered to the alert route: {}: {}", JobRuntime.errorSummary(e), alert.subject());
        }
    }

    /** Waits (bounded) for queued alerts so that a failing run-now still alerts before the process exits. */
    void drain() {
        executor.shutdown();
        try {
            Duration d = duration("backroute.alert.timeout", "30s");
            if (!executor.awaitTermination(d.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.error("{} alert(s) still undelivered after {} while stopping; dropped", executor.getQueue().size(), d);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- called by the alert routes

    /** Channels of the alert route: the mail route when mail is configured, then every backroute.alert.endpoints URI. */
    public List<String> channels() {
        List<String> out = new ArrayList<>();
        if (mailUri != null) {
            out.add(MAIL_CHANNEL);
        }
        out.addAll(endpoints());
        return out;
    }

    public String json(Alert alert) {
        return AlertRenderer.json(alert);
    }

    /** Prepares a mail: HTML body with the plain-text alternative, subject, nothing else from the caller's headers. */
    public void toMail(Exchange exchange) {
        Alert alert = exchange.getProperty(ALERT_PROPERTY, Alert.class);
        if (alert == null) {
            alert = exchange.getMessage().getBody(Alert.class);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader("Subject", alert.subject());
        exchange.getMessage().setHeader("CamelMailAlternativeBody", AlertRenderer.text(alert));
        exchange.getMessage().setBody(AlertRenderer.html(alert));
    }

    // ---- configuration

    private List<String> endpoints() {
        String raw = config.get("backroute.alert.endpoints", "");
        List<String> out = new ArrayList<>();
        for (String s : raw.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** Builds the mail endpoint URI from backroute.alert.mail.* once, so the route and the startup alert share it. */
    private void configureMail() {
        String to = config.get("backroute.alert.mail.to", "");
        String fallback = "log:io.backroute.alert.mail?level=OFF";
        if (to.isBlank()) {
            camel.getPropertiesComponent().addInitialProperty(MAIL_ENDPOINT_PROPERTY, fallback);
            return;
        }
        String security = config.get("backroute.alert.mail.security", "starttls");
        String host = config.get("backroute.alert.mail.host", "");
        if (host.isBlank()) {
            problems.add("backroute.alert.mail.host: missing; set the SMTP server (mail alerts go to " + to + ")");
        }
        if (!List.of("none", "starttls", "ssl").contains(security)) {
            problems.add("backroute.alert.mail.security: '" + security + "' is not one of none, starttls, ssl");
        }
        String protocol = security.equals("ssl") ? "smtps" : "smtp";
        String port = config.get("backroute.alert.mail.port", security.equals("ssl") ? "465" : security.equals("starttls") ? "587" : "25");
        String user = config.get("backroute.alert.mail.username", "");
        String rawPassword = raw("backroute.alert.mail.password");
        String password = "";
        if (rawPassword != null && !rawPassword.isBlank()) {
            if (!rawPassword.contains("{{")) {
                problems.add("backroute.alert.mail.password: a literal password is not allowed; use "
                        + "backroute.alert.mail.password={{env:BACKROUTE_SMTP_PASSWORD}} and set that variable");
            } else {
                try {
                    password = camel.resolvePropertyPlaceholders(rawPassword);
                } catch (RuntimeException e) {
                    problems.add("backroute.alert.mail.password: " + e.getMessage() + " (set the environment variable it names)");
                }
            }
        }
        if (!user.isBlank() && password.isBlank() && problems.stream().noneMatch(p -> p.startsWith("backroute.alert.mail.password"))) {
            problems.add("backroute.alert.mail.password: missing for backroute.alert.mail.username=" + user
                    + "; use backroute.alert.mail.password={{env:BACKROUTE_SMTP_PASSWORD}}");
        }
        long timeoutMs = duration("backroute.alert.mail.timeout", "10s").toMillis();
        StringBuilder uri = new StringBuilder(protocol).append("://").append(host).append(':').append(port)
                .append("?to=").append(enc(to))
                .append("&from=").append(enc(config.get("backroute.alert.mail.from", "backroute@" + this.host)))
                .append("&contentType=").append(enc("text/html; charset=UTF-8"))
                .append("&connectionTimeout=").append(timeoutMs)
                .append("&mail.").append(protocol).append(".timeout=").append(timeoutMs)
                .append("&mail.").append(protocol).append(".writetimeout=").append(timeoutMs);
        if (security.equals("starttls")) {
            uri.append("&mail.smtp.starttls.enable=true&mail.smtp.starttls.required=true");
        }
        String truststore = config.get("backroute.alert.mail.truststore", "");
        if (!truststore.isBlank()) {
            if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(truststore))) {
                problems.add("backroute.alert.mail.truststore: " + truststore + " is not a readable file (a PKCS12 or JKS trust store)");
            } else {
                // camel-mail hands JavaMail its own socket factory for SSL and STARTTLS, so trust comes from Camel's SSL parameters.
                org.apache.camel.support.jsse.KeyStoreParameters ks = new org.apache.camel.support.jsse.KeyStoreParameters();
                ks.setCamelContext(camel);
                ks.setResource("file:" + java.nio.file.Path.of(truststore).toAbsolutePath());
                ks.setPassword(config.get("backroute.alert.mail.truststore-password", "changeit"));
                org.apache.camel.support.jsse.TrustManagersParameters tm = new org.apache.camel.support.jsse.TrustManagersParameters();
                tm.setCamelContext(camel);
                tm.setKeyStore(ks);
                org.apache.camel.support.jsse.SSLContextParameters ssl = new org.apache.camel.support.jsse.SSLContextParameters();
                ssl.setCamelContext(camel);
                ssl.setTrustManagers(tm);
                camel.getRegistry().bind(SSL_BEAN, ssl);
                uri.append("&sslContextParameters=#").append(SSL_BEAN);
            }
        }
        if (!user.isBlank()) {
            uri.append("&username=").append(enc(user)).append("&password=").append(password.contains(")") ? "RAW{" + password + "}" : "RAW(" + password + ")");
        }
        if (problems.isEmpty()) {
            mailUri = uri.toString();
            camel.getPropertiesComponent().addInitialProperty(MAIL_ENDPOINT_PROPERTY, mailUri);
        } else {
            camel.getPropertiesComponent().addInitialProperty(MAIL_ENDPOINT_PROPERTY, fallback);
        }
    }

    /** Problems of the alert configuration, for startup validation (literal or missing secrets, bad channel URIs). */
    public List<String> validate() {
        List<String> out = new ArrayList<>(problems);
        for (String uri : endpoints()) {
            try {
                camel.getEndpoint(uri);
            } catch (RuntimeException e) {
                out.add("backroute.alert.endpoints: " + org.apache.camel.util.URISupport.sanitizeUri(uri) + ": "
                        + JobRuntime.errorSummary(e));
            }
        }
        for (String key : List.of("backroute.alert.dedupe-window", "backroute.alert.timeout", "backroute.alert.mail.timeout")) {
            config.get(key).filter(v -> !v.isBlank()).ifPresent(v -> {
                try {
                    Units.parseDuration(v);
                } catch (RuntimeException e) {
                    out.add(key + ": '" + v + "' is not a duration; use e.g. 30s, 5m, 2h");
                }
            });
        }
        return out;
    }

    /** True when mail alerts are configured and their settings are valid. */
    public boolean mailReady() {
        return mailUri != null;
    }

    /**
     * Mails the startup problems synchronously (bounded by backroute.alert.mail.timeout) before the service fails, when
     * the mail channel itself is valid: the Camel routes are not running yet, so this uses the mail endpoint directly.
     */
    public boolean startupFailed(List<String> startupProblems) {
        if (!mailReady()) {
            LOG.warn("startup problems are not mailed: mail alerts are not configured or not valid (backroute.alert.mail.*)");
            return false;
        }
        StringBuilder list = new StringBuilder();
        int i = 1;
        for (String p : startupProblems) {
            list.append(i == 1 ? "" : "\n").append(i++).append(". ").append(p);
        }
        int n = startupProblems.size();
        Alert alert = Alert.ofFinding(AlertKind.STARTUP_INVALID, null, clock.instant(), host,
                n + (n == 1 ? " configuration problem" : " configuration problems") + "; nothing was scheduled",
                list.toString(), null, null, Map.of());
        Duration timeout = duration("backroute.alert.mail.timeout", "10s");
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "backroute-startup-alert");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<?> f = one.submit(() -> {
                Endpoint ep = camel.getEndpoint(camel.resolvePropertyPlaceholders("{{" + MAIL_ENDPOINT_PROPERTY + "}}"));
                Producer p = ep.createProducer();
                ServiceHelper.startService(p);
                try {
                    Exchange ex = ep.createExchange();
                    ex.setProperty(ALERT_PROPERTY, alert);
                    toMail(ex);
                    p.process(ex);
                    if (ex.getException() != null) {
                        throw ex.getException();
                    }
                } finally {
                    ServiceHelper.stopService(p);
                }
                return null;
            });
            f.get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
            stats.recordSent(null);
            LOG.info("startup problems mailed: {}", alert.subject());
            return true;
        } catch (TimeoutException e) {
            stats.recordFailed(null);
            LOG.error("alert {} could not be delivered to channel mail: no answer within {}", alert.subject(), timeout);
        } catch (Exception e) {
            stats.recordFailed(null);
            LOG.error("alert {} could not be delivered to channel mail: {}", alert.subject(), JobRuntime.errorSummary(e));
        } finally {
            one.shutdownNow();
        }
        return false;
    }

    // ---- helpers

    private String raw(String key) {
        Properties p = camel.getPropertiesComponent().loadProperties(k -> k.equals(key));
        return p.getProperty(key);
    }

    Duration duration(String key, String def) {
        try {
            return Units.parseDuration(config.get(key, def));
        } catch (RuntimeException e) {
            return Units.parseDuration(def);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
