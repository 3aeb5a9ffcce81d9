package io.backroute.config;

import io.backroute.camel.CodecComponent;
import io.backroute.camel.DumpComponent;
import io.backroute.camel.StoreComponent;
import io.backroute.catalog.ArtifactNames;
import io.backroute.pipeline.JobRuntime;
import io.backroute.retention.RetentionPolicy;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.util.URISupport;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every job before anything is scheduled: ids and file names, triggers and crons, sources, codecs and
 * recipient keys, destinations and their secrets, and the service settings. Collects every problem and fails
 * once with all of them ({@link ConfigurationException}).
 */
public final class StartupValidator {

    private static final Logger LOG = LoggerFactory.getLogger(StartupValidator.class);

    private final CamelContext camel;

    public StartupValidator(CamelContext camel) {
        this.camel = camel;
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (camel.isStreamCaching() && !Boolean.TRUE.equals(camel.getStreamCachingStrategy().isSpoolEnabled())) {
            problems.add("camel.main.stream-caching-enabled=true would cache backups in memory: set it to false "
                    + "(or enable an encrypted spool with camel.main.stream-caching-spool-enabled and -spool-cipher)");
        }
        List<RouteDefinition> jobs = JobRuntime.jobDefinitions(camel);
        if (jobs.isEmpty()) {
            problems.add("no job found: add routes/jobs/<job>.camel.yaml with routeConfigurationId: backup-job "
                    + "(and check camel.main.routes-include-pattern)");
        }
        for (RouteDefinition rd : jobs) {
            validateJob(rd, problems);
        }
        duplicateStepIds(problems);
        return problems;
    }

    private void validateJob(RouteDefinition rd, List<String> problems) {
        String id = rd.getRouteId();
        String where = rd.getResource() != null ? rd.getResource().getLocation() : "route " + id;
        String prefix = where + " (job " + id + "): ";
        if (id == null || !rd.hasCustomIdAssigned() || !ArtifactNames.isValidJobId(id)) {
            problems.add(prefix + "the route needs an explicit kebab-case id (a-z, 0-9, '-'), equal to the file name");
            return;
        }
        if (rd.getResource() != null) {
            String loc = rd.getResource().getLocation();
            String file = loc.substring(loc.lastIndexOf('/') + 1);
            if (!file.equals(id + ".camel.yaml")) {
                problems.add(prefix + "file name " + file + " does not match the job id; rename it to " + id + ".camel.yaml");
            }
        }
        validateTrigger(rd.getInput(), prefix, problems);

        int dumps = 0;
        int stores = 0;
        boolean compressed = false;
        boolean encrypted = false;
        for (SendDefinition<?> to : JobRuntime.sendSteps(rd.getOutputs())) {
            String raw = to.getEndpointUri();
            String uri;
            try {
                uri = camel.resolvePropertyPlaceholders(raw);
            } catch (RuntimeException e) {
                problems.add(prefix + "step " + stepName(to) + ": " + e.getMessage()
                        + " (define it in config/application.properties or the environment)");
                continue;
            }
            String scheme = uri.contains(":") ? uri.substring(0, uri.indexOf(':')) : uri;
            if (!List.of("dump", "codec", "store").contains(scheme)) {
                continue;
            }
            Endpoint ep;
            try {
                ep = camel.getEndpoint(uri);
            } catch (RuntimeException e) {
                problems.add(prefix + "step " + stepName(to) + " (" + URISupport.sanitizeUri(uri) + "): " + rootMessage(e));
                continue;
            }
            if (ep instanceof DumpComponent.DumpEndpoint d) {
                dumps++;
                if (encrypted || compressed) {
                    problems.add(prefix + "step " + stepName(to) + ": dump steps must come before the codec steps");
                }
                List<String> p = new ArrayList<>();
                d.getSource().validate(p);
                p.forEach(s -> problems.add(prefix + "step " + stepName(to) + " (dump:" + d.getKind() + "): " + s));
            } else if (ep instanceof CodecComponent.CodecEndpoint c) {
                boolean isEncryption = c.getCodec().equals("openpgp");
                if (isEncryption) {
                    encrypted = true;
                } else {
                    if (encrypted) {
                        problems.add(prefix + "step " + stepName(to) + ": compress before encrypting (ciphertext does not compress)");
                    }
                    compressed = true;
                }
                c.validate().forEach(s -> problems.add(prefix + "step " + stepName(to) + " (codec:" + c.getCodec() + "): " + s));
            } else if (ep instanceof StoreComponent.StoreEndpoint s) {
                stores++;
                if (!encrypted) {
                    problems.add(prefix + "step " + stepName(to) + ": nothing leaves the host unencrypted; add a codec:openpgp step before store:");
                }
                s.validate().forEach(m -> problems.add(prefix + "step " + stepName(to) + " (store): " + m));
            }
        }
        if (dumps == 0) {
            problems.add(prefix + "no dump: step; add one (dump:postgresql, dump:mariadb, dump:sqlite, dump:directory)");
        }
        if (!encrypted) {
            problems.add(prefix + "no codec:openpgp step; every artifact must be encrypted to a public key");
        }
        if (stores == 0) {
            problems.add(prefix + "no store: step; add store:<destination>[,<destination>...]");
        }
        validateRetention(id, prefix, problems);
    }

    private void validateRetention(String job, String prefix, List<String> problems) {
        BackrouteConfig config = new BackrouteConfig(camel);
        Map<String, String> policy;
        try {
            policy = config.retention(job);
        } catch (RuntimeException e) {
            problems.add(prefix + "jobs." + job + ".retention: " + e.getMessage());
            return;
        }
        if (policy.isEmpty()) {
            problems.add(prefix + "no retention policy: set at least one of jobs." + job + ".retention.keep-last, "
                    + "keep-daily, keep-weekly, keep-monthly, keep-yearly, keep-within (e.g. jobs." + job + ".retention.keep-daily=7)");
            return;
        }
        RetentionPolicy.validate(policy).forEach(p -> problems.add(prefix + "jobs." + job + ".retention: " + p));
        JobRuntime rt = camel.getRegistry().lookupByNameAndType("backroute", JobRuntime.class);
        List<String> dests;
        try {
            dests = rt == null ? List.of() : rt.destinationsOf(job);
        } catch (RuntimeException e) {
            dests = List.of(); // unresolvable store: step, reported above
        }
        {
            for (String dest : dests) {
                Map<String, String> overrides = config.retentionOverrides(job, dest);
                if (!overrides.isEmpty()) {
                    Map<String, String> merged = new java.util.HashMap<>(policy);
                    merged.putAll(overrides);
                    RetentionPolicy.validate(merged).forEach(p -> problems.add(prefix + "jobs." + job + ".destinations."
                            + dest + ".retention: " + p));
                }
            }
        }
    }

    private void validateTrigger(FromDefinition from, String prefix, List<String> problems) {
        String uri;
        try {
            uri = camel.resolvePropertyPlaceholders(from.getEndpointUri());
        } catch (RuntimeException e) {
            problems.add(prefix + "trigger: " + e.getMessage() + " (define it in config/application.properties)");
            return;
        }
        if (!uri.startsWith("quartz:")) {
            return;
        }
        Map<String, Object> params;
        try {
            params = URISupport.parseParameters(new java.net.URI(URISupport.normalizeUri(uri)));
        } catch (Exception e) {
            problems.add(prefix + "trigger " + uri + " is not a valid URI: " + e.getMessage());
            return;
        }
        Object cron = params.get("cron");
        if (cron == null) {
            return;
        }
        String expr = cron.toString().replace('+', ' ');
        try {
            CronExpression ce = new CronExpression(expr);
            Date next = ce.getNextValidTimeAfter(new Date());
            if (next == null) {
                // Quartz refuses to schedule such a trigger: a job that would silently never run
                problems.add(prefix + "cron '" + expr + "' never fires (e.g. 30 February); the job would never run. "
                        + "Fix the cron (Quartz format: sec min hour day-of-month month day-of-week)");
            }
        } catch (java.text.ParseException e) {
            problems.add(prefix + "cron '" + expr + "' is invalid: " + e.getMessage()
                    + " (Quartz format: sec min hour day-of-month month day-of-week, e.g. '0 0 2 * * ?')");
        }
    }

    /** Camel needs step ids unique across all routes; name the clash here rather than fail later on route start. */
    private void duplicateStepIds(List<String> problems) {
        Map<String, String> seen = new java.util.HashMap<>();
        for (RouteDefinition rd : ((org.apache.camel.model.ModelCamelContext) camel).getRouteDefinitions()) {
            List<ProcessorDefinition<?>> nodes = JobRuntime.steps(rd.getOutputs());
            for (ProcessorDefinition<?> p : nodes) {
                if (p.hasCustomIdAssigned()) {
                    String other = seen.putIfAbsent(p.getId(), rd.getRouteId());
                    if (other != null) {
                        problems.add("step id '" + p.getId() + "' is used in routes " + other + " and " + rd.getRouteId()
                                + "; step ids must be unique: prefix them with the job id (e.g. " + rd.getRouteId() + "-" + p.getId() + ")");
                    }
                }
            }
        }
    }


    private static String stepName(SendDefinition<?> to) {
        return to.getId() != null ? "'" + to.getId() + "'" : URISupport.sanitizeUri(to.getEndpointUri());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : URISupport.sanitizeUri(t.getMessage());
    }

}
