package io.backroute.pipeline;

import io.backroute.catalog.DestinationResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * State of one run while it executes, carried as exchange property {@link #PROPERTY}: identity, the staged
 * artifacts and the per-destination results that parallel deliveries add.
 */
public final class RunContext {

    public static final String PROPERTY = "backrouteRun";

    private final String job;
    private final String runId;
    private final String trigger;
    private final Instant start;
    private final Path stagingDir;
    private final List<StagedArtifact> staged = Collections.synchronizedList(new ArrayList<>());
    private final List<DestinationResult> results = Collections.synchronizedList(new ArrayList<>());
    private volatile List<String> destinations = List.of();
    private volatile String verify = "size";
    private volatile boolean interrupted;

    public RunContext(String job, String runId, String trigger, Instant start, Path stagingDir) {
        this.job = job;
        this.runId = runId;
        this.trigger = trigger;
        this.start = start;
        this.stagingDir = stagingDir;
    }

    public String job() { return job; }
    public String runId() { return runId; }
    public String trigger() { return trigger; }
    public Instant start() { return start; }
    public Path stagingDir() { return stagingDir; }

    public List<StagedArtifact> staged() { return List.copyOf(staged); }
    public void addStaged(StagedArtifact a) { staged.add(a); }

    public List<DestinationResult> results() { return List.copyOf(results); }
    public void addResult(DestinationResult r) { results.add(r); }

    public List<String> destinations() { return destinations; }
    public void destinations(List<String> names) { this.destinations = List.copyOf(names); }

    public String verify() { return verify; }

    /** Set when the service stopped while this run was still going: the run is already recorded FAILED. */
    public boolean interrupted() { return interrupted; }

    public void markInterrupted() { this.interrupted = true; }
    public void verify(String mode) { this.verify = mode; }

    public long plainBytes() {
        return staged().stream().mapToLong(a -> a.manifest().plainSize()).sum();
    }

    public long storedBytes() {
        return staged().stream().mapToLong(a -> a.manifest().storedSize()).sum();
    }
}
