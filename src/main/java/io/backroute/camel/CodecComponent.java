package io.backroute.camel;

import io.backroute.BackupException;
import io.backroute.codec.Transform;
import io.backroute.codec.TransformFactory;
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
 * {@code codec:zstd?level=3&workers=2}, {@code codec:gzip?level=6}, {@code codec:openpgp?recipients=a.asc,b.asc}:
 * adds a streaming compression or encryption stage to the message's {@link BackupPlan}.
 */
public class CodecComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new CodecEndpoint(uri, this, remaining, Options.take(parameters));
    }

    /** One configured codec stage. */
    public static class CodecEndpoint extends DefaultEndpoint {
        private final String codec;
        private final Map<String, String> options;

        CodecEndpoint(String uri, CodecComponent component, String codec, Map<String, String> options) {
            super(uri, component);
            this.codec = codec;
            this.options = options;
        }

        public String getCodec() { return codec; }

        /** Configuration problems (unknown codec, bad level, unusable recipient keys). */
        public List<String> validate() {
            return TransformFactory.validate(codec, options);
        }

        @Override
        public boolean isRemote() { return false; }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                private volatile Transform transform;

                @Override
                public void process(Exchange exchange) {
                    BackupPlan plan = exchange.getMessage().getBody(BackupPlan.class);
                    if (plan == null) {
                        throw new BackupException("codec", "codec:" + codec + " needs a dump: step before it");
                    }
                    if (transform == null) {
                        transform = TransformFactory.create(codec, options);
                    }
                    plan.addTransform(transform);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("codec: is a producer only");
        }
    }
}
