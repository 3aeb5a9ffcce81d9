package io.backroute.management;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Backroute's Camel health checks, group {@code backroute}: {@code backroute-service} (liveness: the service runs)
 * and {@code backroute-jobs} (readiness: every enabled, non-paused Quartz job has a next fire time, and the run
 * catalog answers).
 */
public final class BackrouteHealthChecks {

    public static final String GROUP = "backroute";

    private BackrouteHealthChecks() { }

    /** Registers both checks in the context's {@link HealthCheckRegistry}; no-op when health checks are off. */
    public static void register(OpsView view) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(view.runtime().camel());
        if (registry == null) {
            return;
        }
        Liveness live = new Liveness(view);
        Readiness ready = new Readiness(view);
        Freshness fresh = new Freshness(view);
        live.setCamelContext(view.runtime().camel());
        ready.setCamelContext(view.runtime().camel());
        fresh.setCamelContext(view.runtime().camel());
        registry.register(live);
        registry.register(ready);
        registry.register(fresh);
    }

    /**
     * {@code backup-freshness}: DOWN while any job is STALE or NEVER_RAN (its newest good backup is older than its
     * max-age), with the state, age and threshold of every job as details. A readiness check, so an orchestrator or
     * load balancer sees "this service is up but not protecting anything".
     */
    static final class Freshness extends AbstractHealthCheck {
        private final OpsView view;

        Freshness(OpsView view) {
            super(GROUP, "backup-freshness");
            this.view = view;
        }

        @Override public boolean isReadiness() { return true; }
        @Override public boolean isLiveness() { return false; }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            List<String> stale = new ArrayList<>();
            for (String job : view.jobIds()) {
                Optional<io.backroute.management.Freshness> f;
                try {
                    f = view.freshness(job);
                } catch (RuntimeException e) {
                    builder.message("freshness unknown: " + io.backroute.pipeline.JobRuntime.errorSummary(e)).down();
                    return;
                }
                String state = f.map(io.backroute.management.Freshness::state).orElse("UNKNOWN");
                builder.detail("job." + job, state + f.map(x -> " age=" + x.ageSeconds() + "s max-age=" + x.thresholdSeconds() + "s").orElse(""));
                if ("STALE".equals(state) || "NEVER_RAN".equals(state)) {
                    stale.add(job + " " + state);
                }
            }
            if (stale.isEmpty()) {
                builder.up();
            } else {
                builder.message("not fresh: " + String.join(", ", stale)).down();
            }
        }
    }

    /** Liveness: UP while the CamelContext is started (a dead service answers nothing at all). */
    static final class Liveness extends AbstractHealthCheck {
        private final OpsView view;

        Liveness(OpsView view) {
            super(GROUP, "backroute-service");
            this.view = view;
        }

        @Override public boolean isReadiness() { return false; }
        @Override public boolean isLiveness() { return true; }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            var camel = view.runtime().camel();
            builder.detail("version", io.backroute.BackrouteService.version());
            if (camel.isStarted()) {
                builder.up();
            } else {
                builder.message("Camel is " + camel.getStatus()).down();
            }
        }
    }

    /** Readiness: backups will happen (each enabled, unpaused scheduled job has a next fire time; the catalog answers). */
    static final class Readiness extends AbstractHealthCheck {
        private final OpsView view;

        Readiness(OpsView view) {
            super(GROUP, "backroute-jobs");
            this.view = view;
        }

        @Override public boolean isReadiness() { return true; }
        @Override public boolean isLiveness() { return false; }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            List<String> problems = new ArrayList<>();
            try {
                view.runtime().catalog().lastRun("");
                builder.detail("catalog", "reachable");
            } catch (RuntimeException e) {
                builder.detail("catalog", "unreachable");
                problems.add("run catalog unreachable: " + io.backroute.pipeline.JobRuntime.errorSummary(e));
            }
            for (String job : view.jobIds()) {
                String state;
                if (!view.enabled(job)) {
                    state = "disabled";
                } else if (view.control().isPaused(job)) {
                    state = "paused";
                } else if (!view.timeZone(job).isEmpty()) {
                    var next = view.runtime().nextFireTime(job);
                    state = next.map(i -> "next fire " + i).orElse("NO NEXT FIRE TIME");
                    if (next.isEmpty()) {
                        problems.add("job " + job + " is enabled and scheduled (" + view.runtime().schedule(job)
                                + ") but has no next fire time");
                    }
                } else {
                    state = "triggered by " + view.runtime().schedule(job);
                }
                builder.detail("job." + job, state);
            }
            if (problems.isEmpty()) {
                builder.up();
            } else {
                builder.message(String.join("; ", problems)).down();
            }
        }
    }
}
