package io.backroute.pipeline;

import io.backroute.BackupException;
import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunCatalog;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.config.BackrouteConfig;
import io.backroute.store.Destinations;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run bookkeeping for every job route: starts a run (RUNNING record, one run per job at a time, overlaps
 * SKIPPED), ends it (SUCCESS / PARTIAL / FAILED from the destination results or the failure), cleans
 * staging and notifies listeners (JMX, alerts). Registered in the Camel registry as {@code backroute}.
 */
public final class JobRuntime implements AutoCloseable {

    public static final String JOB_ROUTE_CONFIGURATION = "backup-job";
    public static final String TRIGGER_PROPERTY = "backrouteTrigger";
    static final String SKIPPED_PROPERTY = "backrouteSkipped";

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);

    private final CamelContext camel;
    private final BackrouteConfig config;
    private final RunCatalog catalog;
    private final Destinations destinations;
    private final Staging staging;
    private final Delivery delivery;
    private final Map<String, Semaphore> locks = new ConcurrentHashMap<>();
    private final Map<String, Long> lastStartSecond = new ConcurrentHashMap<>();
    private final Map<String, RunContext> active = new ConcurrentHashMap<>();
    private final List<Consumer<RunRecord>> listeners = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    public JobRuntime(CamelContext camel, BackrouteConfig config, RunCatalog catalog, Destinations destinations,
                      String version) {
        this.camel = camel;
        this.config = config;
        this.catalog = catalog;
        this.destinations = destinations;
        this.staging = new Staging(version);
        this.delivery = new Delivery(destinations::get, config.deliveryAttempts(), config.deliveryBackoff(),
                config.deliveryMaxBackoff(), config.tempGrace(), io.backroute.store.Transfers::sleep, config::destinationTimeout);
    }

    public CamelContext camel() { return camel; }
    public BackrouteConfig config() { return config; }
    public RunCatalog catalog() { return catalog; }
    public Destinations destinations() { return destinations; }
    public Staging staging() { return staging; }
    public Delivery delivery() { return delivery; }

    /** Called with every finished (or skipped) run record. */
    public void addListener(Consumer<RunRecord> listener) { listeners.add(listener); }

    // ---- jobs

    /** Route definitions of the jobs (routes using route configuration {@value #JOB_ROUTE_CONFIGURATION}). */
    public static List<RouteDefinition> jobDefinitions(CamelContext camel) {
        List<RouteDefinition> jobs = new ArrayList<>();
        for (RouteDefinition rd : ((ModelCamelContext) camel).getRouteDefinitions()) {
            String rc = rd.getRouteConfigurationId();
            if (rc != null && List.of(rc.split(",")).contains(JOB_ROUTE_CONFIGURATION)) {
                jobs.add(rd);
            }
        }
        return jobs;
    }

    public List<String> jobIds() {
        return jobDefinitions(camel).stream().map(RouteDefinition::getRouteId).sorted().toList();
    }

    public boolean isJob(String id) {
        return jobIds().contains(id);
    }

    public boolean isRunning(String job) {
        Semaphore s = locks.get(job);
        return s != null && s.availablePermits() == 0;
    }

    /** Next fire time of a Quartz-triggered job, empty when it has none (not scheduled, paused, or not Quartz). */
    public Optional<Instant> nextFireTime(String job) {
        Route route = camel.getRoute(job);
        if (route == null) {
            return Optional.empty();
        }
        Endpoint ep = route.getEndpoint();
        if (ep instanceof QuartzEndpoint q) {
            try {
                var trigger = q.getComponent().getScheduler().getTrigger(q.getTriggerKey());
                Date next = trigger == null ? null : trigger.getNextFireTime();
                return Optional.ofNullable(next).map(Date::toInstant);
            } catch (Exception e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Destination names of a job, from its store: steps, in order. */
    public List<String> destinationsOf(String job) {
        List<String> names = new ArrayList<>();
        for (RouteDefinition rd : jobDefinitions(camel)) {
            if (!job.equals(rd.getRouteId())) {
                continue;
            }
            collectStores(rd.getOutputs(), names);
        }
        return names;
    }

    private void collectStores(List<org.apache.camel.model.ProcessorDefinition<?>> outputs, List<String> names) {
        for (var send : sendSteps(outputs)) {
            String uri = camel.resolvePropertyPlaceholders(send.getEndpointUri());
            if (uri.startsWith("store:")) {
                String rest = uri.substring("store:".length());
                int q = rest.indexOf('?');
                for (String n : (q >= 0 ? rest.substring(0, q) : rest).split(",")) {
                    if (!n.isBlank() && !names.contains(n.trim())) {
                        names.add(n.trim());
                    }
                }
            }
        }
    }

    /** Every step of a route, nested ones (split, choice, ...) included, in document order. */
    public static List<org.apache.camel.model.ProcessorDefinition<?>> steps(List<org.apache.camel.model.ProcessorDefinition<?>> outputs) {
        List<org.apache.camel.model.ProcessorDefinition<?>> all = new ArrayList<>();
        for (var p : outputs) {
            all.add(p);
            if (p instanceof org.apache.camel.model.OutputNode) {
                all.addAll(steps(p.getOutputs()));
            }
        }
        return all;
    }

    /** The {@code to} steps of a route, nested ones included. */
    public static List<org.apache.camel.model.SendDefinition<?>> sendSteps(List<org.apache.camel.model.ProcessorDefinition<?>> outputs) {
        List<org.apache.camel.model.SendDefinition<?>> sends = new ArrayList<>();
        for (var p : steps(outputs)) {
            if (p instanceof org.apache.camel.model.SendDefinition<?> s) {
                sends.add(s);
            }
        }
        return sends;
    }

    /** The schedule of a job as written (cron expression or endpoint). */
    public String schedule(String job) {
        Route route = camel.getRoute(job);
        if (route != null && route.getEndpoint() instanceof QuartzEndpoint q) {
            return q.getCron() != null ? q.getCron() : "quartz";
        }
        return route == null ? "" : org.apache.camel.util.URISupport.sanitizeUri(route.getEndpoint().getEndpointUri());
    }

    /**
     * Runs a job once, now, synchronously in the calling thread, through the job route itself (same steps,
     * same bookkeeping as a scheduled run). Returns the final run record.
     */
    public RunRecord runNow(String job, String trigger) {
        Route route = camel.getRoute(job);
        if (route == null || !isJob(job)) {
            throw new IllegalArgumentException("unknown job '" + job + "'; known jobs: " + jobIds());
        }
        Exchange ex = route.getEndpoint().createExchange();
        ex.setProperty(TRIGGER_PROPERTY, trigger);
        ex.getExchangeExtension().setFromEndpoint(route.getEndpoint());
        ex.getExchangeExtension().setFromRouteId(job);
        try {
            route.getConsumer().getProcessor().process(ex);
        } catch (Exception e) {
            ex.setException(e);
        }
        RunContext rc = ex.getProperty(RunContext.PROPERTY, RunContext.class);
        if (rc == null) {
            throw new IllegalStateException("job " + job + " did not start a run (is its route configuration " + JOB_ROUTE_CONFIGURATION + "?)");
        }
        return catalog.find(rc.runId()).orElseThrow();
    }

    /**
     * Fails the run when its plain size is more than {@code jobs.<job>.size-deviation-percent} away from the median
     * of the job's last 10 successful runs (off unless set): a dump that suddenly shrinks is a broken backup.
     */
    public void checkSizeTrend(RunContext run) {
        String pct = config.get("jobs." + run.job() + ".size-deviation-percent", "");
        if (pct.isBlank()) {
            return;
        }
        double allowed = Double.parseDouble(pct);
        List<Long> sizes = catalog.history(run.job(), 50).stream().filter(r -> r.status() == RunStatus.SUCCESS)
                .limit(10).map(RunRecord::plainBytes).sorted().toList();
        if (sizes.size() < 3) {
            return; // too little history to judge
        }
        double median = sizes.size() % 2 == 1 ? sizes.get(sizes.size() / 2)
                : (sizes.get(sizes.size() / 2 - 1) + sizes.get(sizes.size() / 2)) / 2.0;
        long size = run.plainBytes();
        double deviation = median == 0 ? 0 : Math.abs(size - median) * 100.0 / median;
        if (deviation > allowed) {
            throw new BackupException(run.job(), run.runId(), "dump", String.format(java.util.Locale.ROOT,
                    "dump is %s, %.0f%% away from the median %s of the last %d successful runs (allowed: %s%%, "
                            + "jobs.%s.size-deviation-percent); nothing was stored", Units.bytes(size), deviation,
                    Units.bytes((long) median), sizes.size(), pct, run.job()), true, null);
        }
    }

    // ---- run lifecycle (called by RunPolicy)

    void begin(Route route, Exchange exchange) {
        String job = route.getRouteId();
        Instant start = Instant.now();
        String runId = ArtifactNames.newRunId(job, start, random);
        String trigger = exchange.getProperty(TRIGGER_PROPERTY, String.class);
        if (trigger == null) {
            Endpoint from = exchange.getFromEndpoint();
            trigger = from instanceof QuartzEndpoint ? "schedule" : from == null ? "endpoint" : "endpoint:" + from.getEndpointKey().split(":")[0];
        }
        Semaphore lock = locks.computeIfAbsent(job, j -> new Semaphore(1));
        if (!lock.tryAcquire()) {
            RunRecord skipped = new RunRecord(runId, job, trigger, RunStatus.SKIPPED, start, start, 0, 0, List.of(),
                    "previous run still in progress; this trigger was skipped");
            LOG.warn("run {} SKIPPED: job {} is still running from an earlier trigger", runId, job);
            catalog.save(skipped);
            exchange.setProperty(SKIPPED_PROPERTY, true);
            exchange.setProperty(RunContext.PROPERTY, new RunContext(job, runId, trigger, start, null));
            exchange.setRouteStop(true);
            notifyListeners(skipped);
            return;
        }
        // artifact names carry the run's start second: two runs of a job must not start in the same second
        long previous = lastStartSecond.getOrDefault(job, Long.MIN_VALUE);
        if (start.getEpochSecond() <= previous) {
            try {
                Thread.sleep(Math.max(1, (previous + 1) * 1000 - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            start = Instant.now();
            runId = ArtifactNames.newRunId(job, start, random);
        }
        lastStartSecond.put(job, start.getEpochSecond());
        org.slf4j.MDC.put("run", runId);
        try {
            long free = Staging.freeBytes(config.stagingDir());
            if (free >= 0 && free < config.stagingMinFreeBytes()) {
                throw new BackupException(job, runId, "stage", "staging directory " + config.stagingDir().toAbsolutePath()
                        + " has only " + Units.bytes(free) + " free, below backroute.staging.min-free-bytes ("
                        + Units.bytes(config.stagingMinFreeBytes()) + "); free space or move backroute.staging-dir", true, null);
            }
            // a run whose artifacts would not fit (estimated from the last good run, plus 10%) fails before dumping
            long estimate = catalog.lastGood(job).map(r -> r.storedBytes() + r.storedBytes() / 10).orElse(0L);
            if (free >= 0 && estimate > 0 && free - config.stagingMinFreeBytes() < estimate) {
                throw new BackupException(job, runId, "stage", "staging directory " + config.stagingDir().toAbsolutePath()
                        + " has " + Units.bytes(free) + " free; this run needs about " + Units.bytes(estimate)
                        + " (last good run + 10%) plus backroute.staging.min-free-bytes (" + Units.bytes(config.stagingMinFreeBytes())
                        + "): the run cannot fit; free space or move backroute.staging-dir", true, null);
            }
            var dir = Staging.createRunDir(config.stagingDir(), runId);
            RunContext rc = new RunContext(job, runId, trigger, start, dir);
            exchange.setProperty(RunContext.PROPERTY, rc);
            active.put(job, rc);
            catalog.save(new RunRecord(runId, job, trigger, RunStatus.RUNNING, start, null, 0, 0, List.of(), null));
            LOG.info("run {} started (job {}, trigger {})", runId, job, trigger);
        } catch (RuntimeException e) {
            lock.release();
            RunRecord failed = new RunRecord(runId, job, trigger, RunStatus.FAILED, start, Instant.now(), 0, 0, List.of(),
                    errorSummary(e));
            catalog.save(failed);
            exchange.setProperty(SKIPPED_PROPERTY, true);
            exchange.setProperty(RunContext.PROPERTY, new RunContext(job, runId, trigger, start, null));
            exchange.setRouteStop(true);
            LOG.error("run {} FAILED before it started: {}", runId, failed.error());
            notifyListeners(failed);
            org.slf4j.MDC.remove("run");
        }
    }

    void end(Exchange exchange) {
        if (Boolean.TRUE.equals(exchange.getProperty(SKIPPED_PROPERTY, Boolean.class))) {
            return;
        }
        RunContext rc = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        if (rc == null) {
            return;
        }
        if (rc.interrupted()) {
            LOG.warn("run {} finished after the service stopped; it stays FAILED (interrupted by shutdown)", rc.runId());
            return;
        }
        try {
            Exception failure = exchange.getException();
            if (failure == null) {
                failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            }
            List<DestinationResult> results = rc.results();
            RunStatus status;
            String error = null;
            if (failure != null) {
                status = RunStatus.FAILED;
                error = errorSummary(failure);
            } else if (results.isEmpty()) {
                status = RunStatus.FAILED;
                error = "the job stored nothing: add a store: step naming at least one destination";
            } else {
                long ok = results.stream().filter(DestinationResult::ok).count();
                status = ok == results.size() ? RunStatus.SUCCESS : ok == 0 ? RunStatus.FAILED : RunStatus.PARTIAL;
                if (status != RunStatus.SUCCESS) {
                    error = String.join("; ", results.stream().filter(r -> !r.ok()).map(DestinationResult::error).toList());
                }
            }
            Instant end = Instant.now();
            RunRecord record = new RunRecord(rc.runId(), rc.job(), rc.trigger(), status, rc.start(), end,
                    rc.plainBytes(), rc.storedBytes(), results, error);
            catalog.save(record);
            var took = java.time.Duration.between(rc.start(), end);
            if (status == RunStatus.SUCCESS) {
                LOG.info("run {} SUCCESS: {} stored to {} destination(s) in {}", rc.runId(),
                        Units.bytes(rc.storedBytes()), results.size(), Units.duration(took));
            } else {
                LOG.error("run {} {}: {}", rc.runId(), status, error);
            }
            notifyListeners(record);
        } finally {
            active.remove(rc.job(), rc);
            Staging.clean(rc.stagingDir());
            Semaphore lock = locks.get(rc.job());
            if (lock != null) {
                lock.release();
            }
            org.slf4j.MDC.remove("run");
        }
    }

    /**
     * Called when the service stops after the graceful-shutdown timeout: every run still going is recorded FAILED
     * ("interrupted by shutdown"), its child processes (dump tools) are killed and its staging is removed. Nothing
     * it staged was committed at a destination, since an artifact is only visible once complete.
     */
    public int interruptActive() {
        int n = 0;
        for (RunContext rc : List.copyOf(active.values())) {
            rc.markInterrupted();
            active.remove(rc.job(), rc);
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            Instant end = Instant.now();
            RunRecord failed = new RunRecord(rc.runId(), rc.job(), rc.trigger(), RunStatus.FAILED, rc.start(), end,
                    rc.plainBytes(), rc.storedBytes(), rc.results(), "interrupted by shutdown after "
                    + Units.duration(java.time.Duration.between(rc.start(), end)) + ": the service stopped while the run was in progress");
            catalog.save(failed);
            Staging.clean(rc.stagingDir());
            LOG.error("run {} FAILED: interrupted by shutdown", rc.runId());
            notifyListeners(failed);
            n++;
        }
        return n;
    }

    private void notifyListeners(RunRecord record) {
        for (Consumer<RunRecord> l : listeners) {
            try {
                l.accept(record);
            } catch (RuntimeException e) {
                LOG.error("run listener failed for run {}: {}", record.runId(), e.toString());
            }
        }
    }

    /** One line for records and alerts: the stage and message of the root cause, never a stack trace or secret. */
    public static String errorSummary(Throwable t) {
        Throwable cur = t;
        while (cur != null) {
            if (cur instanceof BackupException be) {
                return be.summary();
            }
            cur = cur.getCause();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof org.apache.camel.CamelExecutionException || root.getMessage() == null)) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return org.apache.camel.util.URISupport.sanitizeUri(m);
    }

    @Override
    public void close() {
        destinations.close();
        catalog.close();
    }
}
