package io.backroute.management;

import io.backroute.pipeline.JobRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything ops look at, started once Camel is up: restored pauses, the job and service MBeans, remote JMX
 * (when configured), the health checks and the Prometheus metrics (when Camel metrics are on).
 */
public final class OpsSurface implements AutoCloseable {

    /** Registry name of the {@link StatusPage} bean used by routes/pipeline/status.camel.yaml. */
    public static final String STATUS_PAGE_BEAN = "backrouteStatusPage";
    private static final Logger LOG = LoggerFactory.getLogger(OpsSurface.class);

    private final OpsView view;
    private JobManagement management;
    private RemoteJmx remoteJmx;

    public OpsSurface(JobRuntime runtime) {
        this.view = new OpsView(runtime, new JobControl(runtime));
    }

    public OpsView view() {
        return view;
    }

    public StatusPage statusPage() {
        return new StatusPage(view);
    }

    /** Starts it all; remote JMX only when {@value RemoteJmx#PORT} is set (CLI commands clear it). */
    public OpsSurface start() {
        view.control().restore();
        management = new JobManagement(view);
        management.registerAll();
        BackrouteHealthChecks.register(view);
        var registries = view.runtime().camel().getRegistry().findByType(MeterRegistry.class);
        if (!registries.isEmpty()) {
            new BackrouteMetrics(view, registries.iterator().next()).bind();
        } else {
            LOG.debug("no Micrometer registry (camel.metrics.enabled=false): Backroute metrics not exported");
        }
        remoteJmx = RemoteJmx.startIfConfigured(view.runtime().config());
        return this;
    }

    @Override
    public void close() {
        if (remoteJmx != null) {
            remoteJmx.close();
            remoteJmx = null;
        }
        if (management != null) {
            management.close();
            management = null;
        }
    }
}
