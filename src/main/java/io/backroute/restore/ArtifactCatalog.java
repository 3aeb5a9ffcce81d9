package io.backroute.restore;

import io.backroute.BackupException;
import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.store.Destination;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the artifacts of a job at a destination from their manifests and selects one by name, newest, or time.
 */
public final class ArtifactCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactCatalog.class);

    private ArtifactCatalog() { }

    /**
     * What a destination holds for a job.
     *
     * @param artifacts manifested artifacts of the job, oldest first (including manifests whose artifact is missing)
     * @param problems  manifests that could not be read or belong to another job, one line each
     */
    public record Listing(String destination, List<ArtifactInfo> artifacts, List<String> problems) {

        public Optional<ArtifactInfo> latest() {
            return artifacts.isEmpty() ? Optional.empty() : Optional.of(artifacts.get(artifacts.size() - 1));
        }
    }

    /** Reads every manifest below {@code <job>/} whose key {@link ArtifactNames#parse} recognises as the job's. */
    public static Listing list(Destination d, String job) {
        List<String> keys = d.list(job + "/");
        Set<String> present = new HashSet<>(keys);
        List<ArtifactInfo> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            Optional<ArtifactNames.ParsedKey> parsed = ArtifactNames.parse(key);
            if (parsed.isEmpty() || !parsed.get().manifest() || !parsed.get().job().equals(job)) {
                continue;
            }
            String artifactKey = parsed.get().artifactKey();
            Manifest m;
            try (InputStream in = d.open(key)) {
                m = ManifestJson.read(in, key);
            } catch (Exception e) {
                problems.add("manifest " + key + " at destination " + d.name() + " is unreadable: " + e.getMessage());
                LOG.warn("{}", problems.get(problems.size() - 1));
                continue;
            }
            if (!job.equals(m.job())) {
                problems.add("manifest " + key + " at destination " + d.name() + " names job '" + m.job()
                        + "', not '" + job + "'; ignored");
                LOG.warn("{}", problems.get(problems.size() - 1));
                continue;
            }
            found.add(new ArtifactInfo(d.name(), artifactKey, parsed.get(), m, present.contains(artifactKey)));
        }
        found.sort(Comparator.comparing(ArtifactInfo::time).thenComparing(ArtifactInfo::key));
        return new Listing(d.name(), List.copyOf(found), List.copyOf(problems));
    }

    /**
     * Selects by key or file name, else the newest at or before {@code at}, else the newest.
     *
     * @throws BackupException (stage {@code select}) naming what was looked for and where
     */
    public static ArtifactInfo select(Listing listing, String job, String artifact, Instant at) {
        List<ArtifactInfo> all = listing.artifacts();
        if (artifact != null) {
            String wanted = artifact.endsWith(Manifest.SUFFIX)
                    ? artifact.substring(0, artifact.length() - Manifest.SUFFIX.length()) : artifact;
            return all.stream()
                    .filter(a -> a.key().equals(wanted) || a.fileName().equals(wanted)
                            || wanted.endsWith("/" + a.fileName()))
                    .findFirst()
                    .orElseThrow(() -> new BackupException("select", "artifact " + artifact + " of job " + job
                            + " is not at destination " + listing.destination()
                            + " (no manifest names it); see: backroute list " + job + " --destination " + listing.destination()));
        }
        if (all.isEmpty()) {
            throw new BackupException("select", "job " + job + " has no manifested artifact at destination "
                    + listing.destination());
        }
        if (at != null) {
            ArtifactInfo best = null;
            for (ArtifactInfo a : all) {
                if (!a.time().isAfter(at)) {
                    best = a;
                }
            }
            if (best == null) {
                throw new BackupException("select", "job " + job + " has no artifact at or before " + at
                        + " at destination " + listing.destination() + "; the oldest is from " + all.get(0).time());
            }
            return best;
        }
        return all.get(all.size() - 1);
    }
}
