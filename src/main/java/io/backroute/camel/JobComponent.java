package io.backroute.camel;

import io.backroute.catalog.RunRecord;
import io.backroute.pipeline.JobRuntime;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code job:<id>} runs a job now, from any route (an HTTP call, a file drop, a message): the run goes through
 * the job's own route and bookkeeping; the reply body is the final {@link RunRecord} and header
 * {@code BackrouteRunStatus} its status.
 */
public class JobComponent extends DefaultComponent {

    private final JobRuntime runtime;

    public JobComponent(JobRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String trigger = parameters.containsKey("trigger") ? String.valueOf(parameters.remove("trigger")) : "endpoint";
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) {
                        RunRecord record = runtime.runNow(remaining, trigger);
                        exchange.getMessage().setBody(record);
                        exchange.getMessage().setHeader("BackrouteRunStatus", record.status().name());
                        exchange.getMessage().setHeader("BackrouteRunId", record.runId());
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new UnsupportedOperationException("job: is a producer only");
            }
        };
    }
}
