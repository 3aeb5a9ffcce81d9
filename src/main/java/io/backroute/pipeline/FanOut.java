package io.backroute.pipeline;

import io.backroute.BackupException;
import org.apache.camel.Exchange;

/**
 * Bean behind the {@code deliver} step of the fan-out route: delivers the run's staged artifacts to the one
 * destination named in the body and records the result on the run. Never throws for a destination failure,
 * so the split carries on with the other destinations.
 */
public final class FanOut {

    private final JobRuntime runtime;

    public FanOut(JobRuntime runtime) {
        this.runtime = runtime;
    }

    public void deliver(Exchange exchange) {
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        String destination = exchange.getMessage().getBody(String.class);
        if (run == null || destination == null) {
            throw new BackupException("fan-out", "fan-out needs a run and a destination name");
        }
        org.slf4j.MDC.put("run", run.runId());
        try {
            run.addResult(runtime.delivery().deliver(run, destination));
        } finally {
            org.slf4j.MDC.remove("run");
        }
    }
}
