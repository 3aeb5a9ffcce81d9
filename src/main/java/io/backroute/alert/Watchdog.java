package io.backroute.alert;

import io.backroute.catalog.RunRecord;
import io.backroute.config.BackrouteConfig;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.Units;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.quartz.CronExpression;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freshness watchdog, run by the {@code watchdog} route on Camel's timer (not on Quartz, which it watches): reads the run
 * catalog and reports STALE, NEVER_RAN, NOT_SCHEDULED and LOW_DISK findings, each once until it changes, plus every
 * Quartz misfire (MISSED_FIRE). Bound as {@code backrouteWatchdog}.
 */
public final class Watchdog {

    public static final String BEAN = "backrouteWatchdog";
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    /** Fire times looked at to find a cron's longest gap: covers weekly and month-end patterns. */
    private static final int FIRES = 40;

    private final JobRuntime runtime;
    private final BackrouteConfig config;
    private final AlertService alerts;
    private final Instant serviceStart;
    private final Map<String, String> active = new ConcurrentHashMap<>();
    private final AtomicLong checks = new AtomicLong();

    public Watchdog(JobRuntime runtime, AlertService alerts) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.alerts = alerts;
        this.serviceStart = alerts.clock().instant();
    }

    /** Binds the watchdog and hooks the misfire listener onto camel-quartz's scheduler once Camel has started. */
    public static Watchdog install(CamelContext camel, JobRuntime runtime, AlertService alerts) {
        Watchdog w = new Watchdog(runtime, alerts);
        camel.getRegistry().bind(BEAN, w);
        try {
            camel.addStartupListener(new org.apache.camel.ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) { }

                @Override
                public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                    w.listenForMisfires(context);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return w;
    }

    /** How many checks ran (for tests and the status page). */
    public long checks() { return checks.get(); }

    private volatile java.util.function.Predicate<String> paused = job -> false;

    /** Tells the watchdog which jobs an operator paused: they are reported PAUSED, never STALE or NEVER_RAN. */
    public void pausedBy(java.util.function.Predicate<String> isPaused) {
        this.paused = isPaused;
    }

    /**
     * Freshness of a job now, for JMX, metrics, the status page and health: state (OK, STALE, NEVER_RAN,
     * NOT_SCHEDULED, PAUSED, UNKNOWN), age of the newest good backup (null if none) and max-age (null if none).
     */
    public record State(String state, Duration age, Duration maxAge) { }

    public State freshness(String job) {
        Instant now = alerts.clock().instant();
        Optional<RunRecord> good = runtime.catalog().lastGood(job);
        Duration age = good.map(g -> Duration.between(g.end() == null ? g.start() : g.end(), now)).orElse(null);
        Optional<Duration> max = maxAge(job, cron(job));
        if (paused.test(job)) {
            return new State("PAUSED", age, max.orElse(null));
        }
        if (isQuartz(job) && runtime.nextFireTime(job).isEmpty()) {
            return new State("NOT_SCHEDULED", age, max.orElse(null));
        }
        if (max.isEmpty()) {
            return new State(good.isPresent() ? "OK" : "UNKNOWN", age, null);
        }
        if (age != null) {
            return new State(age.compareTo(max.get()) > 0 ? "STALE" : "OK", age, max.get());
        }
        return new State(Duration.between(serviceStart, now).compareTo(max.get()) > 0 ? "NEVER_RAN" : "OK", null, max.get());
    }

    /** One pass over every enabled job and every local path; never throws (a broken check must not stop the timer). */
    public void check() {
        try {
            Instant now = alerts.clock().instant();
            Map<String, Alert> current = new LinkedHashMap<>();
            for (String job : runtime.jobIds()) {
                if (enabled(job) && !paused.test(job)) {
                    checkJob(job, now, current);
                }
            }
            checkDisk(now, current);
            for (Map.Entry<String, Alert> e : current.entrySet()) {
                String key = e.getKey();
                String kindAndSubject = key.substring(0, key.lastIndexOf('#'));
                String previous = active.put(kindAndSubject, key);
                if (!key.equals(previous)) {
                    alerts.raise(e.getValue());
                }
            }
            Set<String> now2 = new LinkedHashSet<>();
            current.keySet().forEach(k -> now2.add(k.substring(0, k.lastIndexOf('#'))));
            active.keySet().removeIf(k -> {
                if (!now2.contains(k)) {
                    LOG.info("watchdog: {} cleared", k);
                    return true;
                }
                return false;
            });
        } catch (RuntimeException e) {
            LOG.error("watchdog check failed: {}", JobRuntime.errorSummary(e), e);
        } finally {
            checks.incrementAndGet();
        }
    }

    private boolean enabled(String job) {
        var status = runtime.camel().getRouteController().getRouteStatus(job);
        return status != null && status.isStarted();
    }

    private void checkJob(String job, Instant now, Map<String, Alert> out) {
        Optional<Instant> next = runtime.nextFireTime(job);
        Optional<String> cron = cron(job);
        Optional<RunRecord> good = runtime.catalog().lastGood(job);
        Instant lastSuccess = good.map(g -> g.end() == null ? g.start() : g.end()).orElse(null);
        if (isQuartz(job) && next.isEmpty()) {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("Schedule", runtime.schedule(job));
            out.put("NOT_SCHEDULED|" + job + "#", Alert.ofFinding(AlertKind.NOT_SCHEDULED, job, now, alerts.host(),
                    "job " + job + " has no next fire time (schedule " + runtime.schedule(job) + ")", null, lastSuccess, null, facts));
        }
        Optional<Duration> maxAge = maxAge(job, cron);
        if (maxAge.isEmpty()) {
            return;
        }
        Duration max = maxAge.get();
        if (good.isPresent()) {
            Duration age = Duration.between(lastSuccess, now);
            if (age.compareTo(max) > 0) {
                Map<String, String> facts = new LinkedHashMap<>();
                facts.put("Age", Units.duration(age));
                facts.put("Max age", Units.duration(max) + maxAgeSource(job, cron));
                runtime.catalog().lastRun(job).ifPresent(r -> facts.put("Last attempt", r.start() + " (" + r.status() + ")"));
                out.put("STALE|" + job + "#" + good.get().runId(), Alert.ofFinding(AlertKind.STALE, job, now, alerts.host(),
                        "newest good backup of " + job + " is " + Units.duration(age) + " old, max-age is " + Units.duration(max),
                        null, lastSuccess, next.orElse(null), facts));
            }
        } else if (Duration.between(serviceStart, now).compareTo(max) > 0) {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("Enabled since", serviceStart.toString());
            facts.put("Max age", Units.duration(max) + maxAgeSource(job, cron));
            runtime.catalog().lastRun(job).ifPresent(r -> facts.put("Last attempt", r.start() + " (" + r.status() + ")"));
            out.put("NEVER_RAN|" + job + "#", Alert.ofFinding(AlertKind.NEVER_RAN, job, now, alerts.host(),
                    "job " + job + " has no good backup " + Units.duration(max) + " after the service started",
                    null, null, next.orElse(null), facts));
        }
    }

    private void checkDisk(Instant now, Map<String, Alert> out) {
        long min = Long.parseLong(config.get("backroute.watchdog.min-free-bytes",
                String.valueOf(config.stagingMinFreeBytes())));
        Map<String, Path> paths = new LinkedHashMap<>();
        paths.put("staging", config.stagingDir());
        for (String name : config.destinationNames()) {
            Map<String, String> raw = config.destinationOptionsRaw(name);
            if ("local".equals(raw.get("kind")) && raw.get("path") != null) {
                try {
                    paths.put("destination " + name, Path.of(config.destinationOptions(name).get("path")));
                } catch (RuntimeException e) {
                    LOG.warn("watchdog: cannot resolve the path of destination {}: {}", name, e.getMessage());
                }
            }
        }
        for (Map.Entry<String, Path> e : paths.entrySet()) {
            long free = io.backroute.pipeline.Staging.freeBytes(e.getValue());
            if (free < 0) {
                LOG.warn("watchdog: cannot read free space at {}", e.getValue());
            } else if (free < min) {
                Map<String, String> facts = new LinkedHashMap<>();
                facts.put("Path", e.getValue().toString());
                facts.put("Free", Units.bytes(free));
                facts.put("Threshold", Units.bytes(min));
                out.put("LOW_DISK|" + e.getKey() + "#", Alert.ofFinding(AlertKind.LOW_DISK, null, now, alerts.host(),
                        "low disk space at " + e.getKey() + " (" + e.getValue() + "): " + Units.bytes(free) + " free, below "
                                + Units.bytes(min), null, null, null, facts));
            }
        }
    }

    private boolean isQuartz(String job) {
        Route r = runtime.camel().getRoute(job);
        return r != null && r.getEndpoint() instanceof QuartzEndpoint;
    }

    private Optional<String> cron(String job) {
        Route r = runtime.camel().getRoute(job);
        if (r != null && r.getEndpoint() instanceof QuartzEndpoint q && q.getCron() != null) {
            return Optional.of(q.getCron().replace('+', ' '));
        }
        return Optional.empty();
    }

    private Optional<Duration> maxAge(String job, Optional<String> cron) {
        Optional<String> explicit = config.get("jobs." + job + ".max-age").filter(s -> !s.isBlank());
        if (explicit.isPresent()) {
            return Optional.of(Units.parseDuration(explicit.get()));
        }
        Duration grace = Units.parseDuration(config.get("backroute.watchdog.grace", "15m"));
        return cron.flatMap(c -> derivedMaxAge(c, grace, alerts.clock().instant()));
    }

    private String maxAgeSource(String job, Optional<String> cron) {
        if (config.get("jobs." + job + ".max-age").filter(s -> !s.isBlank()).isPresent()) {
            return " (jobs." + job + ".max-age)";
        }
        return " (2 x longest gap of cron '" + cron.orElse("") + "' + backroute.watchdog.grace)";
    }

    /**
     * Default max-age of a cron-scheduled job: twice the longest gap between consecutive fire times over the next
     * fires, plus a grace; empty when the cron never fires (that is NOT_SCHEDULED, not STALE).
     */
    public static Optional<Duration> derivedMaxAge(String cron, Duration grace, Instant from) {
        CronExpression ce;
        try {
            ce = new CronExpression(cron);
        } catch (ParseException e) {
            return Optional.empty();
        }
        Date prev = ce.getNextValidTimeAfter(Date.from(from));
        if (prev == null) {
            return Optional.empty();
        }
        Duration longest = Duration.ZERO;
        for (int i = 0; i < FIRES; i++) {
            Date next = ce.getNextValidTimeAfter(prev);
            if (next == null) {
                break;
            }
            Duration gap = Duration.between(prev.toInstant(), next.toInstant());
            if (gap.compareTo(longest) > 0) {
                longest = gap;
            }
            prev = next;
        }
        if (longest.isZero()) {
            return Optional.empty();
        }
        return Optional.of(longest.multipliedBy(2).plus(grace));
    }

    // ---- MISSED_FIRE

    void listenForMisfires(CamelContext camel) {
        if (!(camel.hasComponent("quartz") instanceof org.apache.camel.component.quartz.QuartzComponent qc)) {
            return;
        }
        try {
            Scheduler scheduler = qc.getScheduler();
            if (scheduler == null) {
                return;
            }
            scheduler.getListenerManager().addTriggerListener(new TriggerListenerSupport() {
                @Override
                public String getName() { return "backroute-missed-fire"; }

                @Override
                public void triggerMisfired(Trigger trigger) {
                    // Quartz calls this before applying the misfire instruction: the next fire time is still the planned one.
                    misfired(trigger);
                }
            });
        } catch (Exception e) {
            LOG.error("watchdog: cannot listen for Quartz misfires; MISSED_FIRE will not be reported: {}", e.getMessage());
        }
    }

    void misfired(Trigger trigger) {
        String job = null;
        for (String id : runtime.jobIds()) {
            Route r = runtime.camel().getRoute(id);
            if (r != null && r.getEndpoint() instanceof QuartzEndpoint q && trigger.getKey().equals(q.getTriggerKey())) {
                job = id;
            }
        }
        if (job == null) {
            return;
        }
        Instant planned = trigger.getNextFireTime() == null ? null : trigger.getNextFireTime().toInstant();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Planned", String.valueOf(planned));
        facts.put("Trigger", trigger.getKey().toString());
        LOG.warn("job {}: scheduled run at {} was missed (Quartz misfire)", job, planned);
        alerts.raise(Alert.ofFinding(AlertKind.MISSED_FIRE, job, alerts.clock().instant(), alerts.host(),
                "scheduled run of " + job + " at " + planned + " was missed", null,
                runtime.catalog().lastGood(job).map(g -> g.end() == null ? g.start() : g.end()).orElse(null),
                runtime.nextFireTime(job).orElse(null), facts));
    }

    List<String> activeFindings() {
        return List.copyOf(active.keySet());
    }
}
