package io.backroute.pipeline;

import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.retention.RetentionPolicy;
import io.backroute.retention.RetentionRun;
import io.backroute.retention.RetentionService;
import io.backroute.retention.SafetyRails;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code backrouteRetention} behind the retention routes: applies each job's policy (job properties
 * {@code jobs.<job>.retention.*}, overridable per destination by {@code jobs.<job>.destinations.<dest>.retention.*})
 * at every destination of the job, after each SUCCESS or PARTIAL run and on the retention schedule. Errors and
 * skipped pruning go to the alert route; one destination's failure does not stop the others.
 */
public final class RetentionRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionRunner.class);

    private final JobRuntime runtime;
    private final RetentionService service;

    public RetentionRunner(JobRuntime runtime) {
        this.runtime = runtime;
        this.service = new RetentionService(runtime.destinations()::get, runtime.catalog(),
                runtime.config().orphanGrace(), Clock.systemUTC());
    }

    public RetentionPolicy policy(String job, String destination) {
        return RetentionPolicy.parse(runtime.config().retention(job), runtime.config().retentionOverrides(job, destination));
    }

    /** One destination; never throws for destination errors (they are in the result and alerted). */
    public RetentionRun run(String job, String destination, boolean dryRun) {
        try {
            RetentionRun r = service.run(job, destination, policy(job, destination), dryRun);
            if (!dryRun && r.decisions().stream().anyMatch(d -> d.reasons().contains(SafetyRails.PRUNING_SKIPPED))) {
                alert(io.backroute.alert.AlertKind.RETENTION_SKIPPED, job, destination,
                        "retention skipped at " + destination + ": the latest run FAILED, nothing was pruned", null);
            }
            if (!dryRun) {
                LOG.info("retention {} at {}: kept {} run(s), removed {} run(s), swept {} orphan(s)", job, destination,
                        r.kept(), r.removed(), r.orphans().size());
            }
            return r;
        } catch (RuntimeException e) {
            String msg = JobRuntime.errorSummary(e);
            LOG.error("retention {} at {} FAILED: {}", job, destination, msg);
            if (!dryRun) {
                alert(io.backroute.alert.AlertKind.RETENTION_FAILED, job, destination, "retention failed at " + destination, msg);
            }
            return new RetentionRun(job, destination, "", List.of(), List.of(), List.of(), dryRun, msg);
        }
    }

    /** Every destination of a job. */
    public List<RetentionRun> apply(String job, boolean dryRun) {
        List<RetentionRun> out = new ArrayList<>();
        for (String d : runtime.destinationsOf(job)) {
            out.add(run(job, d, dryRun));
        }
        return out;
    }

    /** Route entry: prune one job (body = job id). */
    public void apply(String job) {
        apply(job, false);
    }

    /** Route entry for the retention schedule: every job. */
    public void applyAll() {
        for (String job : runtime.jobIds()) {
            apply(job, false);
        }
    }

    /** Run listener: prune after a good run. */
    void afterRun(RunRecord r) {
        boolean afterRun = Boolean.parseBoolean(runtime.config().get("backroute.retention.after-run", "true"));
        if (afterRun && (r.status() == RunStatus.SUCCESS || r.status() == RunStatus.PARTIAL)
                && runtime.camel().getRoute("retention") != null) {
            try (ProducerTemplate t = runtime.camel().createProducerTemplate()) {
                t.sendBody("direct:retention", r.job());
            } catch (Exception e) {
                LOG.error("retention after run {} failed: {}", r.runId(), e.getMessage());
            }
        }
    }

    /** Registers the after-run listener on the runtime. */
    public RetentionRunner listen() {
        runtime.addListener(this::afterRun);
        return this;
    }

    private void alert(io.backroute.alert.AlertKind kind, String job, String destination, String summary, String error) {
        io.backroute.alert.AlertService.raise(runtime, kind, job, summary, error, java.util.Map.of("destination", destination));
    }
}
