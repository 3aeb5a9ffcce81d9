package io.backroute.management;

import io.backroute.BackrouteService;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.Staging;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one {@link JobMBean} per job and the {@link ServiceMBean} on the platform MBean server and removes
 * them on stop.
 */
public final class JobManagement implements AutoCloseable {

    public static final String DOMAIN = "io.backroute";
    public static final ObjectName SERVICE_NAME = objectName(DOMAIN + ":type=service");
    private static final Logger LOG = LoggerFactory.getLogger(JobManagement.class);

    private final OpsView view;
    private final JobRuntime runtime;
    private final ExecutorService executor;
    private final List<ObjectName> registered = new ArrayList<>();
    private final Instant started = Instant.now();

    public JobManagement(OpsView view) {
        this.view = view;
        this.runtime = view.runtime();
        this.executor = runtime.camel().getExecutorServiceManager().newCachedThreadPool(this, "backroute-run-now");
    }

    public static ObjectName name(String job) {
        return objectName(DOMAIN + ":type=job,job=" + ObjectName.quote(job).replace("\"", "").replace(",", "_"));
    }

    private static ObjectName objectName(String s) {
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public void registerAll() {
        for (String job : runtime.jobIds()) {
            register(name(job), new StandardMBean(new Job(job), JobMBean.class, false));
        }
        register(SERVICE_NAME, new StandardMBean(new Service(), ServiceMBean.class, false));
    }

    private void register(ObjectName n, StandardMBean bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(n)) {
                server.unregisterMBean(n);
            }
            server.registerMBean(bean, n);
            registered.add(n);
        } catch (JMException e) {
            LOG.error("cannot register MBean {}: {}", n, e.getMessage());
        }
    }

    @Override
    public void close() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName n : registered) {
            try {
                server.unregisterMBean(n);
            } catch (JMException ignored) {
                // already gone
            }
        }
        registered.clear();
        runtime.camel().getExecutorServiceManager().shutdown(executor);
    }

    private static String iso(Instant i) {
        return OpsView.iso(i);
    }

    private final class Job implements JobMBean {
        private final String job;

        Job(String job) {
            this.job = job;
        }

        private JobView v() { return view.job(job); }

        @Override public String getJob() { return job; }
        @Override public boolean isEnabled() { return view.enabled(job); }
        @Override public boolean isPaused() { return view.control().isPaused(job); }
        @Override public boolean isRunning() { return runtime.isRunning(job); }
        @Override public String getSchedule() { return runtime.schedule(job); }
        @Override public String getTimeZone() { return view.timeZone(job); }
        @Override public String getNextFireTime() { return iso(v().nextFireTime()); }
        @Override public String getLastRunId() { return v().last().map(r -> r.runId()).orElse(""); }
        @Override public String getLastRunStatus() { return v().lastStatus(); }
        @Override public String getLastRunStart() { return iso(v().last().map(r -> r.start()).orElse(null)); }
        @Override public long getLastDurationMillis() { return v().last().map(r -> r.durationMs()).orElse(-1L); }
        @Override public long getLastStoredBytes() { return v().last().map(r -> r.storedBytes()).orElse(0L); }
        @Override public long getLastPlainBytes() { return v().last().map(r -> r.plainBytes()).orElse(0L); }
        @Override public long getLastThroughputBytesPerSecond() { return v().lastThroughput(); }
        @Override public String getLastSuccessTime() { JobView x = v(); return x.lastSuccess() == null ? "" : iso(x.lastSuccess().end()); }
        @Override public String getLastFailureTime() { JobView x = v(); return x.lastFailure() == null ? "" : iso(x.lastFailure().end()); }

        @Override
        public String getLastFailureMessage() {
            JobView x = v();
            return x.lastFailure() == null || x.lastFailure().error() == null ? "" : x.lastFailure().error();
        }

        @Override public int getConsecutiveFailures() { return v().consecutiveFailures(); }
        @Override public String getDestinationStatus() { return v().destinationStatusLine(); }
        @Override public String getFreshnessState() { return view.freshness(job).map(Freshness::state).orElse("UNKNOWN"); }
        @Override public long getFreshnessAgeSeconds() { return view.freshness(job).map(Freshness::ageSeconds).orElse(-1L); }
        @Override public long getFreshnessThresholdSeconds() { return view.freshness(job).map(Freshness::thresholdSeconds).orElse(-1L); }
        @Override public boolean isStale() { return view.freshness(job).map(Freshness::stale).orElse(false); }
        @Override public long getAlertsSent() { return view.alerts(job)[0]; }
        @Override public long getAlertsFailed() { return view.alerts(job)[1]; }

        @Override
        public String getLastDrillStatus() {
            return runtime.catalog().lastDrill(job).map(d -> d.status().name()).orElse("NONE");
        }

        @Override
        public String getLastDrillTime() {
            return iso(runtime.catalog().lastDrill(job).map(io.backroute.catalog.DrillRecord::start).orElse(null));
        }

        @Override
        public long getLastDrillRtoMillis() {
            return runtime.catalog().lastDrill(job).map(io.backroute.catalog.DrillRecord::rtoMillis).orElse(-1L);
        }

        @Override
        public String previewRetention() {
            var runner = runtime.camel().getRegistry().lookupByNameAndType("backrouteRetention",
                    io.backroute.pipeline.RetentionRunner.class);
            return io.backroute.retention.RetentionRun.render(runner.apply(job, true));
        }

        @Override
        public String runNow() {
            if (runtime.isRunning(job)) {
                return "job " + job + " is already running";
            }
            executor.submit(() -> {
                try {
                    runtime.runNow(job, "jmx");
                } catch (RuntimeException e) {
                    LOG.error("runNow of job {} from JMX failed: {}", job, e.getMessage());
                }
            });
            return "job " + job + " started";
        }

        @Override public String pause() { return view.control().pause(job); }
        @Override public String resume() { return view.control().resume(job); }
    }

    private final class Service implements ServiceMBean {
        @Override public String getVersion() { return BackrouteService.version(); }
        @Override public String getStartTime() { return iso(started); }
        @Override public int getJobsTotal() { return runtime.jobIds().size(); }
        @Override public int getJobsEnabled() { return (int) runtime.jobIds().stream().filter(view::enabled).count(); }
        @Override public int getJobsPaused() { return view.control().pausedJobs().size(); }
        @Override public int getJobsFailing() { return (int) view.jobs().stream().filter(JobView::failing).count(); }

        @Override
        public int getJobsStale() {
            if (runtime.camel().getRegistry().findByType(FreshnessSource.class).isEmpty()) {
                return -1;
            }
            return (int) runtime.jobIds().stream().filter(j -> view.freshness(j).map(Freshness::stale).orElse(false)).count();
        }

        @Override public String getStagingDirectory() { return runtime.config().stagingDir().toAbsolutePath().toString(); }
        @Override public long getStagingFreeBytes() { return Staging.freeBytes(runtime.config().stagingDir()); }

        @Override
        public boolean isCatalogReachable() {
            try {
                runtime.catalog().lastRun("");
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
    }
}
