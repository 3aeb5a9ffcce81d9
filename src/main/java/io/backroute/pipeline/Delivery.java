package io.backroute.pipeline;

import io.backroute.catalog.DestinationResult;
import io.backroute.codec.HashingInputStream;
import io.backroute.store.Destination;
import io.backroute.store.DestinationException;
import io.backroute.store.Transfers;
import io.backroute.config.BackrouteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a run's staged artifacts to one destination: each artifact is put (atomically, by the destination's
 * contract), its size verified at the destination (and its hash when {@code verify=full}), and only then its
 * manifest is put. Transient errors are retried with exponential backoff; permanent ones are not. Never
 * throws: the outcome is a {@link DestinationResult}, so one failing destination cannot abort the others.
 * <p>
 * Each delivery has a deadline ({@code backroute.destinations.<name>.timeout}, default {@link #defaultTimeout}): when
 * it passes, the destination's connections are closed ({@link Transfers}), which fails the blocked transfer at once and
 * lets its cleanup remove the temp name; the destination is FAILED "timed out after ...", without retry.
 */
public final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final Function<String, Destination> destinations;
    private final int attempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;
    private final Duration tempGrace;
    private final Function<String, Optional<Duration>> timeouts;

    /** Fires the deadlines of deliveries; one daemon thread, it only closes sockets. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backroute-delivery-deadline");
        t.setDaemon(true);
        return t;
    });

    /** Default deadline: generous for a healthy link, yet a stalled server cannot hold a run for days. */
    static final Duration MIN_DEFAULT_TIMEOUT = Duration.ofHours(6);
    /** Slowest throughput the default deadline allows for big runs (1 MiB/s: 6 h cover ~21 GiB). */
    static final long MIN_DEFAULT_BYTES_PER_SECOND = 1024 * 1024;

    /** Waits between retries; tests pass one that records instead of sleeping. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public Delivery(Function<String, Destination> destinations, int attempts, Duration initialBackoff,
                    Duration maxBackoff, Duration tempGrace, Sleeper sleeper) {
        this(destinations, attempts, initialBackoff, maxBackoff, tempGrace, sleeper, n -> Optional.empty());
    }

    /** @param timeouts the configured deadline of a destination's delivery, if any ({@link #defaultTimeout} otherwise) */
    public Delivery(Function<String, Destination> destinations, int attempts, Duration initialBackoff,
                    Duration maxBackoff, Duration tempGrace, Sleeper sleeper, Function<String, Optional<Duration>> timeouts) {
        this.timeouts = timeouts;
        this.tempGrace = tempGrace;
        this.destinations = destinations;
        this.attempts = Math.max(1, attempts);
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.sleeper = sleeper;
    }

    /** max(6 h, the run's staged bytes at 1 MiB/s). */
    static Duration defaultTimeout(long stagedBytes) {
        Duration bySize = Duration.ofSeconds(stagedBytes / MIN_DEFAULT_BYTES_PER_SECOND);
        return bySize.compareTo(MIN_DEFAULT_TIMEOUT) > 0 ? bySize : MIN_DEFAULT_TIMEOUT;
    }

    private static long stagedBytes(RunContext run) {
        long total = 0;
        for (StagedArtifact a : run.staged()) {
            try {
                total += Files.size(a.file());
            } catch (IOException e) {
                // the upload reports the unreadable file
            }
        }
        return total;
    }

    public DestinationResult deliver(RunContext run, String destinationName) {
        Duration timeout = timeouts.apply(destinationName).orElseGet(() -> defaultTimeout(stagedBytes(run)));
        try (Transfers.Scope scope = Transfers.begin()) {
            ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
                LOG.warn("run {}: delivery to {} timed out after {}: closing its connections", run.runId(), destinationName,
                        Units.duration(timeout));
                scope.abort("timed out after " + Units.duration(timeout));
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                return deliver(run, destinationName, scope);
            } finally {
                deadline.cancel(false);
            }
        }
    }

    private DestinationResult deliver(RunContext run, String destinationName, Transfers.Scope scope) {
        long t0 = System.nanoTime();
        List<String> committed = new ArrayList<>();
        long bytes = 0;
        try {
            Destination dest = destinations.apply(destinationName);
            sweep(run, dest);
            for (StagedArtifact a : run.staged()) {
                long size = Files.size(a.file());
                withRetry(run, dest, scope, "upload of " + a.key(), () -> {
                    putAndVerify(dest, a.file(), a.key(), size, "full".equals(run.verify()) ? a.manifest().storedSha256() : null);
                    return null;
                });
                withRetry(run, dest, scope, "manifest of " + a.key(), () -> {
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
            if (scope.aborted() != null) {
                String detail = msg.startsWith(destinationName + ": ") ? msg.substring(destinationName.length() + 2) : msg;
                msg = destinationName + ": " + scope.aborted() + " (" + BackrouteConfig.DESTINATIONS_PREFIX + destinationName
                        + ".timeout), transfer aborted: " + detail;
            }
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

    private <T> T withRetry(RunContext run, Destination dest, Transfers.Scope scope, String what, Step<T> step) {
        Duration backoff = initialBackoff;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.run();
            } catch (DestinationException e) {
                if (e.permanent() || attempt >= attempts || scope.aborted() != null) {
                    throw e;
                }
                LOG.warn("run {}: {} to {} failed, retrying in {} ({}/{}): {}", run.runId(), what, dest.name(),
                        Units.duration(backoff), attempt, attempts, e.getMessage());
                try {
                    sleeper.sleep(backoff);
                    if (scope.aborted() != null) {
                        throw e;
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DestinationException(dest.name(), what + " interrupted", true, ie);
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

}
