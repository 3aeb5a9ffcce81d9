package io.backroute.management;

import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.pipeline.JobRuntime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.quartz.CronTrigger;

/** Builds {@link JobView}s from the job routes, their triggers, the pause state and the run catalog (nothing kept in memory). */
public final class OpsView {

    /** How far back consecutive failures and per-destination status are looked for. */
    static final int HISTORY_DEPTH = 200;

    private final JobRuntime runtime;
    private final JobControl control;

    public OpsView(JobRuntime runtime, JobControl control) {
        this.runtime = runtime;
        this.control = control;
    }

    public JobRuntime runtime() {
        return runtime;
    }

    public JobControl control() {
        return control;
    }

    public List<String> jobIds() {
        return runtime.jobIds();
    }

    public List<JobView> jobs() {
        return jobIds().stream().map(this::job).toList();
    }

    public JobView job(String job) {
        boolean paused = control.isPaused(job);
        List<RunRecord> history = runtime.catalog().history(job, HISTORY_DEPTH);
        RunRecord last = history.isEmpty() ? null : history.get(0);
        RunRecord lastSuccess = runtime.catalog().lastWithStatus(job, RunStatus.SUCCESS).orElse(null);
        RunRecord lastFailure = newest(runtime.catalog().lastWithStatus(job, RunStatus.FAILED),
                runtime.catalog().lastWithStatus(job, RunStatus.PARTIAL));
        int consecutive = 0;
        for (RunRecord r : history) {
            // RUNNING and SKIPPED say nothing about whether the job works: look past them.
            if (r.status() == RunStatus.SUCCESS) {
                break;
            }
            if (r.status() == RunStatus.FAILED || r.status() == RunStatus.PARTIAL) {
                consecutive++;
            }
        }
        Map<String, String> destinations = new LinkedHashMap<>();
        runtime.destinationsOf(job).forEach(d -> destinations.put(d, "NONE"));
        for (RunRecord r : history) {
            for (DestinationResult d : r.destinations()) {
                String current = destinations.get(d.destination());
                if (current == null || "NONE".equals(current)) {
                    destinations.put(d.destination(), d.status());
                }
            }
        }
        return new JobView(job, enabled(job), paused, runtime.isRunning(job), runtime.schedule(job), timeZone(job),
                paused ? null : runtime.nextFireTime(job).orElse(null), last, lastSuccess, lastFailure, consecutive,
                destinations, freshness(job).orElse(null));
    }

    public Optional<Freshness> freshness(String job) {
        FreshnessSource source = hook(FreshnessSource.class);
        return source == null ? Optional.empty() : source.freshness(job);
    }

    /** Alerts sent and failed for a job, {-1, -1} until the alert counters are wired. */
    public long[] alerts(String job) {
        AlertCounts counts = hook(AlertCounts.class);
        return counts == null ? new long[] {-1, -1} : new long[] {counts.sent(job), counts.failed(job)};
    }

    private <T> T hook(Class<T> type) {
        var found = runtime.camel().getRegistry().findByType(type);
        return found.isEmpty() ? null : found.iterator().next();
    }

    boolean enabled(String job) {
        ServiceStatus status = runtime.camel().getRouteController().getRouteStatus(job);
        return status != null && (status.isStarted() || status.isSuspended());
    }

    /** Time zone of the job's cron trigger (the JVM's when the cron names none), empty for non-Quartz jobs. */
    public String timeZone(String job) {
        Route route = runtime.camel().getRoute(job);
        if (route != null && route.getEndpoint() instanceof QuartzEndpoint q) {
            try {
                var trigger = q.getComponent().getScheduler().getTrigger(q.getTriggerKey());
                if (trigger instanceof CronTrigger ct && ct.getTimeZone() != null) {
                    return ct.getTimeZone().getID();
                }
            } catch (Exception e) {
                return "";
            }
            return java.util.TimeZone.getDefault().getID();
        }
        return "";
    }

    private static RunRecord newest(Optional<RunRecord> a, Optional<RunRecord> b) {
        if (a.isEmpty()) {
            return b.orElse(null);
        }
        if (b.isEmpty()) {
            return a.get();
        }
        return a.get().start().isAfter(b.get().start()) ? a.get() : b.get();
    }

    static String iso(Instant i) {
        return i == null ? "" : i.toString();
    }
}
