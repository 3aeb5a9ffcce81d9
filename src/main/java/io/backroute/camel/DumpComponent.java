package io.backroute.camel;

import io.backroute.dump.Source;
import io.backroute.dump.SourceFactory;
import io.backroute.pipeline.BackupPlan;
import java.util.List;
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
 * {@code dump:<kind>?options} plans a dump of a source (postgresql, mariadb, sqlite, directory): the producer
 * adds the source's dump units to the message's {@link BackupPlan}; nothing is read until the store step.
 */
public class DumpComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Map<String, String> options = Options.take(parameters);
        return new DumpEndpoint(uri, this, remaining, options);
    }

    /** One configured source. */
    public static class DumpEndpoint extends DefaultEndpoint {
        private final String kind;
        private final Source source;

        DumpEndpoint(String uri, DumpComponent component, String kind, Map<String, String> options) {
            super(uri, component);
            this.kind = kind;
            this.source = SourceFactory.create(kind, options);
        }

        public String getKind() { return kind; }

        public Source getSource() { return source; }

        @Override
        public boolean isRemote() { return false; }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    BackupPlan plan = exchange.getMessage().getBody(BackupPlan.class);
                    if (plan == null) {
                        plan = new BackupPlan();
                    }
                    List<String> problems = new java.util.ArrayList<>();
                    source.validate(problems);
                    if (!problems.isEmpty()) {
                        throw new io.backroute.BackupException("dump", kind + " source: " + String.join("; ", problems));
                    }
                    plan.addUnits(source.units());
                    exchange.getMessage().setBody(plan);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("dump: is a producer only: use it as a 'to' step of a job");
        }
    }
}
