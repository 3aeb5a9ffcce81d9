package io.backroute.restore;

import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunCatalog;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.store.Destination;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the run history from the manifests at a destination, for a fresh install after the backup host was lost.
 */
public final class CatalogRebuilder {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogRebuilder.class);
    /** Trigger recorded on rebuilt runs, so they are told apart from runs this host made. */
    public static final String TRIGGER = "catalog-rebuild";

    private CatalogRebuilder() { }

    /**
     * @param added    runs written to the catalog
     * @param existing runs already in the catalog, left untouched
     * @param problems unreadable or inconsistent manifests, one line each
     */
    public record Result(String destination, int manifests, List<String> added, List<String> existing, List<String> problems) { }

    /** Reads every manifest at {@code d} and saves one SUCCESS run per run id not yet in the catalog. */
    public static Result rebuild(Destination d, RunCatalog catalog) {
        Map<String, List<Manifest>> byRun = new TreeMap<>();
        Map<String, List<String>> keysByRun = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        int manifests = 0;
        for (String key : d.list("")) {
            Optional<ArtifactNames.ParsedKey> p = ArtifactNames.parse(key);
            if (p.isEmpty() || !p.get().manifest()) {
                continue;
            }
            Manifest m;
            try (InputStream in = d.open(key)) {
                m = ManifestJson.read(in, key);
            } catch (Exception e) {
                problems.add("manifest " + key + " is unreadable: " + e.getMessage());
                continue;
            }
            if (!p.get().job().equals(m.job()) || m.runId() == null || !m.runId().startsWith(m.job() + "-")) {
                problems.add("manifest " + key + " names job '" + m.job() + "' and run '" + m.runId()
                        + "', which do not match its key; skipped");
                continue;
            }
            manifests++;
            byRun.computeIfAbsent(m.runId(), r -> new ArrayList<>()).add(m);
            keysByRun.computeIfAbsent(m.runId(), r -> new ArrayList<>()).add(p.get().artifactKey());
        }
        List<String> added = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, List<Manifest>> e : byRun.entrySet()) {
            String runId = e.getKey();
            if (catalog.find(runId).isPresent()) {
                existing.add(runId);
                continue;
            }
            List<Manifest> ms = e.getValue();
            Manifest first = ms.get(0);
            Instant start = ms.stream().map(Manifest::started).filter(java.util.Objects::nonNull).min(Instant::compareTo)
                    .orElse(ArtifactNames.parse(keysByRun.get(runId).get(0)).orElseThrow().time());
            Instant end = ms.stream().map(Manifest::finished).filter(java.util.Objects::nonNull).max(Instant::compareTo)
                    .orElse(start);
            long plain = ms.stream().mapToLong(Manifest::plainSize).sum();
            long stored = ms.stream().mapToLong(Manifest::storedSize).sum();
            List<String> keys = keysByRun.get(runId).stream().sorted().toList();
            catalog.save(new RunRecord(runId, first.job(), TRIGGER, RunStatus.SUCCESS, start, end, plain, stored,
                    List.of(new DestinationResult(d.name(), true, stored, 0, keys, null)), null));
            added.add(runId);
        }
        LOG.info("catalog rebuilt from destination {}: {} manifests, {} runs added, {} already known, {} problems",
                d.name(), manifests, added.size(), existing.size(), problems.size());
        return new Result(d.name(), manifests, added, existing, problems);
    }
}
