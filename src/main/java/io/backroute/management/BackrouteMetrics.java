package io.backroute.management;

import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.catalog.SqliteRunCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backroute's Prometheus metrics beside Camel's own: per-job gauges read from the run catalog at scrape time, and
 * counters (runs by status, destination bytes and failures) initialised from the catalog at startup, then counted
 * as runs end. Names as Prometheus shows them are listed in docs/operations.md.
 */
public final class BackrouteMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(BackrouteMetrics.class);
    /** A scrape reads each job once, not once per gauge. */
    private static final long SNAPSHOT_TTL_MS = 1000;

    private final OpsView view;
    private final MeterRegistry registry;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    private record Snapshot(JobView view, long at) { }

    public BackrouteMetrics(OpsView view, MeterRegistry registry) {
        this.view = view;
        this.registry = registry;
    }

    /** Registers every meter and subscribes to finished runs. */
    public BackrouteMetrics bind() {
        for (String job : view.jobIds()) {
            gauge("backroute.job.last.success.timestamp", "seconds", job, "Start of the last SUCCESS run (Unix time)",
                    v -> v.lastSuccess() == null ? Double.NaN : v.lastSuccess().start().toEpochMilli() / 1000.0);
            gauge("backroute.job.last.run.timestamp", "seconds", job, "Start of the last run (Unix time)",
                    v -> v.lastRun() == null ? Double.NaN : v.lastRun().start().toEpochMilli() / 1000.0);
            gauge("backroute.job.last.duration", "seconds", job, "Duration of the last finished run",
                    v -> v.lastRun() == null || v.lastRun().durationMs() < 0 ? Double.NaN : v.lastRun().durationMs() / 1000.0);
            gauge("backroute.job.last.stored", "bytes", job, "Bytes stored (compressed, encrypted) by the last run",
                    v -> v.lastRun() == null ? Double.NaN : v.lastRun().storedBytes());
            gauge("backroute.job.consecutive.failures", null, job, "FAILED or PARTIAL runs since the last SUCCESS",
                    v -> v.consecutiveFailures());
            gauge("backroute.job.paused", null, job, "1 when an operator paused the job's trigger", v -> v.paused() ? 1 : 0);
            gauge("backroute.job.next.fire.timestamp", "seconds", job, "Next scheduled fire time (Unix time)",
                    v -> v.nextFireTime() == null ? Double.NaN : v.nextFireTime().toEpochMilli() / 1000.0);
            // Freshness comes from the watchdog (FreshnessSource hook); NaN until it is wired.
            gauge("backroute.job.freshness", "seconds", job, "Age of the newest good artifact",
                    v -> v.freshness() == null || v.freshness().age() == null ? Double.NaN : v.freshness().ageSeconds());
            gauge("backroute.job.stale", null, job, "1 while the watchdog reports the job STALE",
                    v -> v.freshness() == null ? Double.NaN : v.stale() ? 1 : 0);
            io.micrometer.core.instrument.FunctionCounter.builder("backroute.alerts.sent", this, m -> Math.max(0, m.view.alerts(job)[0]))
                    .description("Alerts delivered for the job (all channels)").tag("job", job).register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("backroute.alerts.failed", this, m -> Math.max(0, m.view.alerts(job)[1]))
                    .description("Alerts for the job that no channel could deliver").tag("job", job).register(registry);
            for (RunStatus s : RunStatus.values()) {
                Gauge.builder("backroute.job.last.run.status", this, m -> m.job(job).lastStatus().equals(s.name()) ? 1 : 0)
                        .description("1 for the status of the job's last run, 0 for the others")
                        .tags("job", job, "status", s.name()).strongReference(true).register(registry);
            }
        }
        initCounters();
        view.runtime().addListener(this::count);
        return this;
    }

    private void gauge(String name, String unit, String job, String help, ToDoubleFunction<JobView> f) {
        Gauge.Builder<BackrouteMetrics> b = Gauge.builder(name, this, m -> f.applyAsDouble(m.job(job)))
                .description(help).tag("job", job).strongReference(true);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    private JobView job(String job) {
        long now = System.currentTimeMillis();
        Snapshot s = snapshots.get(job);
        if (s == null || now - s.at() > SNAPSHOT_TTL_MS) {
            s = new Snapshot(view.job(job), now);
            snapshots.put(job, s);
        }
        return s.view();
    }

    private Counter runs(String job, RunStatus status) {
        return Counter.builder("backroute.runs").description("Finished runs by job and status")
                .tags("job", job, "status", status.name()).register(registry);
    }

    private Counter uploaded(String destination) {
        return Counter.builder("backroute.destination.uploaded").baseUnit("bytes")
                .description("Bytes stored at a destination by successful deliveries").tag("destination", destination).register(registry);
    }

    private Counter failures(String destination) {
        return Counter.builder("backroute.destination.failures")
                .description("Deliveries to a destination that failed (after retries)").tag("destination", destination).register(registry);
    }

    /** Counters start from the catalog so that a restart does not reset them to zero. */
    private void initCounters() {
        var catalog = view.runtime().catalog();
        for (String d : view.runtime().destinations().names()) {
            uploaded(d);
            failures(d);
        }
        if (!(catalog instanceof SqliteRunCatalog sqlite)) {
            view.jobIds().forEach(j -> { for (RunStatus s : RunStatus.values()) { runs(j, s); } });
            LOG.warn("run catalog {} cannot count runs; Backroute counters start at zero", catalog.getClass().getSimpleName());
            return;
        }
        java.util.Set<String> jobs = new java.util.TreeSet<>(sqlite.jobs());
        jobs.addAll(view.jobIds());
        for (String job : jobs) {
            sqlite.countByStatus(job, Instant.EPOCH).forEach((status, n) -> {
                if (status != RunStatus.RUNNING) {
                    runs(job, status).increment(n);
                }
            });
            for (RunRecord r : sqlite.runsBetween(job, Instant.EPOCH, Instant.now().plusSeconds(1))) {
                if (r.status() != RunStatus.RUNNING) {
                    countDestinations(r);
                }
            }
        }
    }

    private void count(RunRecord r) {
        snapshots.remove(r.job());
        if (r.status() == RunStatus.RUNNING) {
            return;
        }
        runs(r.job(), r.status()).increment();
        countDestinations(r);
    }

    private void countDestinations(RunRecord r) {
        for (DestinationResult d : r.destinations()) {
            if (d.ok()) {
                uploaded(d.destination()).increment(d.bytes());
            } else {
                failures(d.destination()).increment();
            }
        }
    }
}
