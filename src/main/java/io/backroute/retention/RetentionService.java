package io.backroute.retention;

import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunCatalog;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.store.Destination;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a job's retention policy at one destination: lists the job's prefix, reads every manifest, groups
 * artifacts by run, asks the pure {@link RetentionPolicy} (with its {@link SafetyRails}) what to keep, then deletes
 * each removed run's manifests before its artifacts, so a crash can leave an orphaned artifact (swept later) but
 * never a manifest whose artifact is gone. Only keys that parse as our artifacts, whose manifest names this job, are
 * ever touched; foreign files and other jobs' artifacts stay.
 */
public final class RetentionService {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);

    private final Function<String, Destination> destinations;
    private final RunCatalog catalog;
    private final Duration orphanGrace;
    private final Clock clock;

    public RetentionService(Function<String, Destination> destinations, RunCatalog catalog, Duration orphanGrace, Clock clock) {
        this.destinations = destinations;
        this.catalog = catalog;
        this.orphanGrace = orphanGrace;
        this.clock = clock;
    }

    public RetentionRun run(String job, String destinationName, RetentionPolicy policy, boolean dryRun) {
        Destination dest = destinations.apply(destinationName);
        Instant now = clock.instant();
        String prefix = job + "/";
        List<String> keys = dest.list(prefix);
        Set<String> present = new java.util.HashSet<>(keys);

        Map<String, List<String>> artifactsByRun = new TreeMap<>();
        Map<String, Instant> runTimes = new LinkedHashMap<>();
        List<String> orphans = new ArrayList<>();
        for (String key : keys) {
            Optional<ArtifactNames.ParsedKey> parsed = ArtifactNames.parse(key);
            if (parsed.isEmpty() || !parsed.get().job().equals(job)) {
                continue; // not ours: never touched
            }
            ArtifactNames.ParsedKey p = parsed.get();
            if (p.manifest()) {
                if (!present.contains(p.artifactKey())) {
                    if (isOld(p.time(), now)) {
                        orphans.add(key);
                    }
                    continue;
                }
                Manifest m;
                try (InputStream in = dest.open(key)) {
                    m = ManifestJson.read(in, destinationName + ":" + key);
                } catch (Exception e) {
                    LOG.warn("retention {} at {}: unreadable manifest {} ({}); its artifact is kept", job, destinationName, key, e.getMessage());
                    continue;
                }
                if (!job.equals(m.job())) {
                    LOG.warn("retention {} at {}: manifest {} names job {}; left untouched", job, destinationName, key, m.job());
                    continue;
                }
                artifactsByRun.computeIfAbsent(m.runId(), r -> new ArrayList<>()).add(p.artifactKey());
                runTimes.merge(m.runId(), m.started(), (a, b) -> a.isBefore(b) ? a : b);
            } else if (!present.contains(ArtifactNames.manifestKey(key)) && isOld(p.time(), now)) {
                orphans.add(key);
            }
        }

        List<Candidate> candidates = new ArrayList<>();
        runTimes.forEach((runId, time) -> candidates.add(new Candidate(runId, job, time, true)));
        RunStatus latest = catalog.history(job, 20).stream().map(RunRecord::status)
                .filter(s -> s == RunStatus.SUCCESS || s == RunStatus.PARTIAL || s == RunStatus.FAILED)
                .findFirst().orElse(null);
        List<Decision> decisions = policy.plan(job, candidates, now, latest);

        List<RetentionRun.RunDecision> out = new ArrayList<>();
        for (Decision d : decisions) {
            List<String> artifacts = artifactsByRun.getOrDefault(d.c().key(), List.of());
            out.add(new RetentionRun.RunDecision(d.c().key(), d.c().time().toString(), d.keep(), d.reasons(), artifacts));
        }
        out.sort(Comparator.comparing(RetentionRun.RunDecision::time).reversed());

        List<String> removed = new ArrayList<>();
        if (!dryRun) {
            for (RetentionRun.RunDecision d : out) {
                if (d.keep()) {
                    continue;
                }
                for (String artifact : d.artifacts()) {
                    String manifest = ArtifactNames.manifestKey(artifact);
                    dest.delete(manifest);
                    removed.add(manifest);
                    dest.delete(artifact);
                    removed.add(artifact);
                }
                LOG.info("retention {} at {}: removed run {} ({}){}", job, destinationName, d.runId(), d.time(),
                        d.reasons().isEmpty() ? "" : " " + d.reasons());
            }
            for (String orphan : orphans) {
                dest.delete(orphan);
                removed.add(orphan);
                LOG.warn("retention {} at {}: swept orphan {} (artifact without manifest, or manifest without artifact, older than {})",
                        job, destinationName, orphan, orphanGrace);
            }
        }
        for (RetentionRun.RunDecision d : out) {
            if (d.keep()) {
                LOG.debug("retention {} at {}: keep run {} ({}) {}", job, destinationName, d.runId(), d.time(), d.reasons());
            }
        }
        return new RetentionRun(job, destinationName, policy.toProperties().toString(), out, removed, orphans, dryRun, null);
    }

    private boolean isOld(Instant nameTime, Instant now) {
        return nameTime == null || nameTime.plus(orphanGrace).isBefore(now);
    }
}
