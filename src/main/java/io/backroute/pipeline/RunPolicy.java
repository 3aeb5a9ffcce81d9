package io.backroute.pipeline;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Route policy attached to every job route (route configuration {@code backup-job}): begins a run when an
 * exchange enters the route and ends it when the exchange completes, whatever triggered it.
 */
public final class RunPolicy extends RoutePolicySupport {

    private final JobRuntime runtime;

    public RunPolicy(JobRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        runtime.begin(route, exchange);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                runtime.end(done);
            }
        });
    }

    /** Attaches a {@link RunPolicy} to job routes only. */
    public static final class Factory implements RoutePolicyFactory {
        private final JobRuntime runtime;

        public Factory(JobRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
            if (route instanceof RouteDefinition rd && rd.getRouteConfigurationId() != null
                    && java.util.List.of(rd.getRouteConfigurationId().split(",")).contains(JobRuntime.JOB_ROUTE_CONFIGURATION)) {
                return new RunPolicy(runtime);
            }
            return null;
        }
    }
}
