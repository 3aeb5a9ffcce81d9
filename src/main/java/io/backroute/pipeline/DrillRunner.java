package io.backroute.pipeline;

import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.DrillRecord;
import io.backroute.restore.Drill;
import io.backroute.restore.DrillSpec;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code backrouteDrills} behind the drill routes: runs a job's restore drill (job properties
 * {@code jobs.<job>.drill.*}), records it in the run catalog and sends a failed drill to the alert route.
 */
public final class DrillRunner {

    /** Name of the route template in routes/pipeline/drill.camel.yaml instantiated per job with a drill cron. */
    public static final String TEMPLATE = "drill";
    public static final String ROUTE_PREFIX = "drill-";

    private static final Logger LOG = LoggerFactory.getLogger(DrillRunner.class);

    private final JobRuntime runtime;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Semaphore> locks = new ConcurrentHashMap<>();

    public DrillRunner(JobRuntime runtime) {
        this.runtime = runtime;
    }

    /** The drill a job declares, empty if none; throws IllegalArgumentException listing invalid properties. */
    public Optional<DrillSpec> spec(String job) {
        return DrillSpec.parse(job, runtime.config().tree("jobs." + job + ".drill."));
    }

    /** Jobs that declare a drill. */
    public List<String> drilledJobs() {
        List<String> out = new ArrayList<>();
        for (String job : runtime.jobIds()) {
            if (!runtime.config().tree("jobs." + job + ".drill.").isEmpty()) {
                out.add(job);
            }
        }
        return out;
    }

    /** Startup problems of every declared drill, one line each. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        for (String job : drilledJobs()) {
            try {
                spec(job).ifPresent(s -> {
                    String d = s.destination();
                    if (d != null && !runtime.destinations().names().contains(d)) {
                        problems.add("jobs." + job + ".drill.destination: unknown destination '" + d + "'; configured: "
                                + String.join(", ", runtime.destinations().names()));
                    }
                });
            } catch (IllegalArgumentException e) {
                problems.addAll(List.of(e.getMessage().split("\n")));
            }
        }
        return problems;
    }

    /** Route entry and CLI: runs the job's drill now, records it, alerts when it failed; returns the record. */
    public DrillRecord run(String job) {
        DrillSpec spec = spec(job).orElseThrow(() -> new IllegalArgumentException("job " + job
                + " declares no drill: set jobs." + job + ".drill.key (and .destination, .cron, ...)"));
        Instant start = Instant.now();
        String drillId = ArtifactNames.newRunId(job + "-drill", start, random);
        Semaphore lock = locks.computeIfAbsent(job, j -> new Semaphore(1));
        DrillRecord r;
        List<io.backroute.catalog.VerificationRecord> verifications = List.of();
        if (!lock.tryAcquire()) {
            // two drills of one job would share (and drop) the same scratch database
            r = new DrillRecord(drillId, job, null, spec.destination(), List.of(), DrillRecord.Status.FAILED, start,
                    Instant.now(), -1, 0, List.of(), "drill: the previous drill of job " + job + " is still running");
        } else {
            try {
                String destination = spec.destination() != null ? spec.destination()
                        : runtime.destinationsOf(job).stream().findFirst().orElse(null);
                if (destination == null) {
                    r = new DrillRecord(drillId, job, null, null, List.of(), DrillRecord.Status.FAILED, start, Instant.now(),
                            -1, 0, List.of(), "drill: job " + job + " stores nowhere; set jobs." + job + ".drill.destination");
                } else {
                    Drill.Outcome o = Drill.execute(spec, runtime.destinations().get(destination),
                            runtime.config().dataDir().resolve("drills"), drillId);
                    r = o.record();
                    verifications = o.verifications();
                }
            } finally {
                lock.release();
            }
        }
        runtime.catalog().saveDrill(r);
        verifications.forEach(runtime.catalog()::saveVerification);
        if (!r.ok()) {
            java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
            facts.put("Drill", r.drillId());
            facts.put("Run", String.valueOf(r.runId()));
            facts.put("Destination", String.valueOf(r.destination()));
            io.backroute.alert.AlertService.raise(runtime, io.backroute.alert.AlertKind.DRILL_FAILED, job,
                    "restore drill of " + job + " failed", r.error(), facts);
        }
        return r;
    }
}
