package io.backroute.pipeline;

import io.backroute.catalog.DestinationResult;
import io.backroute.codec.HashingInputStream;
import io.backroute.store.Destination;
import io.backroute.store.DestinationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a run's staged artifacts to one destination: each artifact is put (atomically, by the destination's
 * contract), its size verified at the destination (and its hash when {@code verify=full}), and only then its
 * manifest is put. Transient errors are retried with exponential backoff; permanent ones are not. Never
 * throws: the outcome is a {@link DestinationResult}, so one failing destination cannot abort the others.
 */
public final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final Function<String, Destination> destinations;
    private final int attempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;
    private final Duration tempGrace;

    /** Waits between retries; tests pass one that records instead of sleeping. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public Delivery(Function<String, Destination> destinations, int attempts, Duration initialBackoff,
                    Duration maxBackoff, Duration tempGrace, Sleeper sleeper) {
        this.tempGrace = tempGrace;
        this.destinations = destinations;
        this.attempts = Math.max(1, attempts);
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.sleeper = sleeper;
    }

    public DestinationResult deliver(RunContext run, String destinationName) {
        long t0 = System.nanoTime();
        List<String> committed = new ArrayList<>();
        long bytes = 0;
        try {
            Destination dest = destinations.apply(destinationName);
            sweep(run, dest);
            for (StagedArtifact a : run.staged()) {
                long size = Files.size(a.file());
                withRetry(run, dest, "upload of " + a.key(), () -> {
                    putAndVerify(dest, a.file(), a.key(), size, "full".equals(run.verify()) ? a.manifest().storedSha256() : null);
                    return null;
                });
                withRetry(run, dest, "manifest of " + a.key(), () -> {
                    dest.put(a.manifestFile(), a.manifestKey());
                    return null;
                });
                committed.add(a.key());
                bytes += size;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("run {} destination {} OK: {} artifact(s), {} in {} ({})", run.runId(), destinationName,
                    committed.size(), Units.bytes(bytes), Units.duration(took), Units.throughput(bytes, took));
            return new DestinationResult(destinationName, true, bytes, took.toMillis(), committed, null);
        } catch (RuntimeException | IOException e) {
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String msg = e instanceof DestinationException ? e.getMessage()
                    : destinationName + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            LOG.error("run {} destination {} FAILED: {}", run.runId(), destinationName, msg);
            return new DestinationResult(destinationName, false, bytes, took.toMillis(), committed, msg);
        }
    }

    /** Removes our temp names a crashed earlier run left under the job's prefix (older than the grace period). */
    private void sweep(RunContext run, Destination dest) {
        try {
            for (String key : dest.sweepTemp(run.job() + "/", tempGrace)) {
                LOG.warn("run {}: removed stale temp {} at {} (left by an interrupted earlier upload)", run.runId(), key, dest.name());
            }
        } catch (RuntimeException e) {
            LOG.warn("run {}: could not sweep temp names at {}: {}", run.runId(), dest.name(), e.getMessage());
        }
    }

    private void putAndVerify(Destination dest, Path file, String key, long size, String sha256) {
        dest.put(file, key);
        OptionalLong remote = dest.stat(key);
        if (remote.isEmpty() || remote.getAsLong() != size) {
            dest.delete(key);
            throw new DestinationException(dest.name(), "verification failed for " + key + ": size at destination "
                    + (remote.isEmpty() ? "missing" : remote.getAsLong()) + " != staged " + size, false, null);
        }
        if (sha256 != null) {
            String remoteSha;
            try (InputStream in = dest.open(key); HashingInputStream h = new HashingInputStream(in)) {
                h.transferTo(java.io.OutputStream.nullOutputStream());
                remoteSha = h.sha256Hex();
            } catch (IOException e) {
                throw new DestinationException(dest.name(), "read-back of " + key + " failed: " + e.getMessage(), false, e);
            }
            if (!sha256.equals(remoteSha)) {
                dest.delete(key);
                throw new DestinationException(dest.name(), "read-back hash of " + key + " differs from the staged artifact", false, null);
            }
        }
    }

    private interface Step<T> {
        T run();
    }

    private <T> T withRetry(RunContext run, Destination dest, String what, Step<T> step) {
        Duration backoff = initialBackoff;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.run();
            } catch (DestinationException e) {
                if (e.permanent() || attempt >= attempts) {
                    throw e;
                }
                LOG.warn("run {}: {} to {} failed, retrying in {} ({}/{}): {}", run.runId(), what, dest.name(),
                        Units.duration(backoff), attempt, attempts, e.getMessage());
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DestinationException(dest.name(), what + " interrupted", true, ie);
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

}
