package io.backroute.management;

import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.pipeline.JobRuntime;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers one {@link JobMBean} per job on the platform MBean server and removes them on stop. */
public final class JobManagement implements AutoCloseable {

    public static final String DOMAIN = "io.backroute";
    private static final Logger LOG = LoggerFactory.getLogger(JobManagement.class);

    private final JobRuntime runtime;
    private final ExecutorService executor;
    private final List<ObjectName> registered = new ArrayList<>();

    public JobManagement(JobRuntime runtime) {
        this.runtime = runtime;
        this.executor = runtime.camel().getExecutorServiceManager().newCachedThreadPool(this, "backroute-run-now");
    }

    public static ObjectName name(String job) {
        try {
            return new ObjectName(DOMAIN + ":type=job,job=" + ObjectName.quote(job).replace("\"", "").replace(",", "_"));
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public void registerAll() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (String job : runtime.jobIds()) {
            ObjectName n = name(job);
            try {
                if (server.isRegistered(n)) {
                    server.unregisterMBean(n);
                }
                server.registerMBean(new StandardMBean(new Job(job), JobMBean.class), n);
                registered.add(n);
            } catch (JMException e) {
                LOG.error("cannot register MBean {}: {}", n, e.getMessage());
            }
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
        return i == null ? "" : i.toString();
    }

    private final class Job implements JobMBean {
        private final String job;

        Job(String job) {
            this.job = job;
        }

        private Optional<RunRecord> last() { return runtime.catalog().lastRun(job); }

        @Override public String getJob() { return job; }

        @Override
        public boolean isEnabled() {
            var route = runtime.camel().getRoute(job);
            return route != null && runtime.camel().getRouteController().getRouteStatus(job).isStarted();
        }

        @Override public boolean isRunning() { return runtime.isRunning(job); }

        @Override public String getSchedule() { return runtime.schedule(job); }

        @Override public String getNextFireTime() { return iso(runtime.nextFireTime(job).orElse(null)); }

        @Override public String getLastRunId() { return last().map(RunRecord::runId).orElse(""); }

        @Override public String getLastRunStatus() { return last().map(r -> r.status().name()).orElse("NONE"); }

        @Override public String getLastRunStart() { return iso(last().map(RunRecord::start).orElse(null)); }

        @Override public long getLastDurationMillis() { return last().map(RunRecord::durationMs).orElse(-1L); }

        @Override public long getLastStoredBytes() { return last().map(RunRecord::storedBytes).orElse(0L); }

        @Override public long getLastPlainBytes() { return last().map(RunRecord::plainBytes).orElse(0L); }

        @Override
        public String getLastSuccessTime() {
            return iso(runtime.catalog().lastWithStatus(job, RunStatus.SUCCESS).map(RunRecord::end).orElse(null));
        }

        @Override
        public String getLastFailureTime() {
            return iso(lastFailure().map(RunRecord::end).orElse(null));
        }

        @Override
        public String getLastFailureMessage() {
            return lastFailure().map(RunRecord::error).orElse("");
        }

        private Optional<RunRecord> lastFailure() {
            Optional<RunRecord> failed = runtime.catalog().lastWithStatus(job, RunStatus.FAILED);
            Optional<RunRecord> partial = runtime.catalog().lastWithStatus(job, RunStatus.PARTIAL);
            if (failed.isEmpty()) {
                return partial;
            }
            if (partial.isEmpty()) {
                return failed;
            }
            return failed.get().start().isAfter(partial.get().start()) ? failed : partial;
        }

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
    }
}
