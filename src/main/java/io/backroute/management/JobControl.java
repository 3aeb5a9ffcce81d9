package io.backroute.management;

import io.backroute.pipeline.JobRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses and resumes job triggers (the Quartz trigger, or the consumer of a non-Quartz job) and keeps the set of
 * paused jobs in {@code <data-dir>/paused-jobs.txt} so that a restart keeps them paused.
 */
public final class JobControl {

    public static final String FILE_NAME = "paused-jobs.txt";
    private static final Logger LOG = LoggerFactory.getLogger(JobControl.class);

    private final JobRuntime runtime;
    private final Path file;
    private final Set<String> paused = ConcurrentHashMap.newKeySet();

    public JobControl(JobRuntime runtime) {
        this.runtime = runtime;
        this.file = runtime.config().dataDir().resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** Re-applies the pauses recorded by an earlier process; ids of jobs that no longer exist are dropped with a warning. */
    public void restore() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> ids;
        try {
            ids = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read paused jobs from " + file + ": " + e.getMessage(), e);
        }
        boolean dropped = false;
        for (String raw : ids) {
            String job = raw.trim();
            if (job.isEmpty() || job.startsWith("#")) {
                continue;
            }
            if (!runtime.isJob(job)) {
                LOG.warn("{} lists job '{}' as paused, but there is no such job; forgetting it", file, job);
                dropped = true;
                continue;
            }
            apply(job, true);
            paused.add(job);
            LOG.warn("job {} is PAUSED (kept from before the restart); resume it over JMX or with 'backroute resume {}'", job, job);
        }
        if (dropped) {
            persist();
        }
    }

    public boolean isPaused(String job) {
        return paused.contains(job);
    }

    public Set<String> pausedJobs() {
        return Set.copyOf(paused);
    }

    /** Stops the job's trigger from firing; a run in progress continues. Returns a message for the operator. */
    public synchronized String pause(String job) {
        requireJob(job);
        if (paused.contains(job)) {
            return "job " + job + " is already paused";
        }
        apply(job, true);
        paused.add(job);
        persist();
        LOG.warn("job {} PAUSED: its trigger will not fire until resumed", job);
        return "job " + job + " paused";
    }

    /** Lets the job's trigger fire again at its schedule. Returns a message for the operator. */
    public synchronized String resume(String job) {
        requireJob(job);
        if (!paused.contains(job)) {
            return "job " + job + " is not paused";
        }
        apply(job, false);
        paused.remove(job);
        persist();
        LOG.info("job {} RESUMED: next fire {}", job, runtime.nextFireTime(job).map(Object::toString).orElse("none"));
        return "job " + job + " resumed";
    }

    private void requireJob(String job) {
        if (!runtime.isJob(job)) {
            throw new IllegalArgumentException("unknown job '" + job + "'; known jobs: " + runtime.jobIds());
        }
    }

    private void apply(String job, boolean pause) {
        Route route = runtime.camel().getRoute(job);
        try {
            // Pausing the trigger rather than suspending the route: suspending waits for an in-flight run to
            // finish (up to the shutdown timeout), and an operator expects pause to answer at once.
            if (route.getEndpoint() instanceof QuartzEndpoint q) {
                if (pause) {
                    q.pauseTrigger();
                } else {
                    q.resumeTrigger();
                }
            } else if (pause) {
                ServiceHelper.suspendService(route.getConsumer());
            } else {
                ServiceHelper.resumeService(route.getConsumer());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot " + (pause ? "pause" : "resume") + " job " + job + ": " + e.getMessage(), e);
        }
    }

    private void persist() {
        try {
            Files.createDirectories(file.getParent() == null ? Path.of(".") : file.getParent());
            Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
            StringBuilder sb = new StringBuilder("# jobs paused by an operator (JMX pause() or 'backroute pause JOB'); one id per line\n");
            new TreeSet<>(paused).forEach(j -> sb.append(j).append('\n'));
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record paused jobs in " + file + ": " + e.getMessage(), e);
        }
    }
}
