package io.backroute.camel;

import io.backroute.BackupException;
import io.backroute.pipeline.BackupPlan;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.RunContext;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code store:nas,s3-primary?verify=size} streams the plan through its codecs into one encrypted staging file
 * per artifact, then hands the run to the shared {@code direct:fan-out} route, which copies it to every named
 * destination in parallel.
 */
public class StoreComponent extends DefaultComponent {

    private final JobRuntime runtime;

    public StoreComponent(JobRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Map<String, String> options = Options.take(parameters);
        return new StoreEndpoint(uri, this, remaining, options);
    }

    /** One store step: its destination names and verification mode. */
    public class StoreEndpoint extends DefaultEndpoint {
        private final List<String> destinations;
        private final Map<String, String> options;

        StoreEndpoint(String uri, StoreComponent component, String remaining, Map<String, String> options) {
            super(uri, component);
            this.destinations = Arrays.stream(remaining.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            this.options = options;
        }

        public List<String> getDestinations() { return destinations; }

        public List<String> validate() {
            List<String> problems = new java.util.ArrayList<>();
            if (destinations.isEmpty()) {
                problems.add("store: names no destination; write store:NAME[,NAME...]");
            }
            if (destinations.stream().distinct().count() != destinations.size()) {
                problems.add("store:" + String.join(",", destinations) + " names a destination twice");
            }
            for (String k : options.keySet()) {
                if (!k.equals("verify")) {
                    problems.add("store: unknown option '" + k + "'; known: verify (size|full)");
                }
            }
            String verify = options.getOrDefault("verify", "size");
            if (!verify.equals("size") && !verify.equals("full")) {
                problems.add("store: verify=" + verify + " is not size or full");
            }
            for (String d : destinations) {
                runtime.destinations().validate(d, problems);
            }
            return problems;
        }

        @Override
        public boolean isRemote() { return false; }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
                    if (run == null) {
                        throw new BackupException("store", "store: used outside a job route (route configuration backup-job)");
                    }
                    BackupPlan plan = exchange.getMessage().getBody(BackupPlan.class);
                    if (plan == null) {
                        throw new BackupException("store", "store: needs dump: and codec: steps before it");
                    }
                    run.destinations(destinations);
                    run.verify(options.getOrDefault("verify", "size"));
                    runtime.staging().stage(run, plan);
                    runtime.checkSizeTrend(run);
                    exchange.getMessage().setBody(destinations);
                    ProducerTemplate template = exchange.getContext().createProducerTemplate();
                    try {
                        template.send("direct:fan-out", exchange);
                    } finally {
                        try {
                            template.stop();
                        } catch (Exception ignored) {
                            // template cleanup only
                        }
                    }
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("store: is a producer only");
        }
    }
}
