package io.backroute.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dedupe of repeated run failures: the same failure of the same job passes at most once per window; a recovery
 * forgets the job's failures so the next one is reported at once.
 */
public final class AlertGate {

    private final Duration window;
    private final Clock clock;
    private final Map<String, Instant> lastSent = new ConcurrentHashMap<>();

    public AlertGate(Duration window, Clock clock) {
        this.window = window;
        this.clock = clock;
    }

    /** True when the alert should be sent now; records it as sent. Alerts that are not windowed always pass. */
    public boolean admit(Alert a) {
        if (!a.kind().windowed()) {
            return true;
        }
        Instant now = clock.instant();
        boolean[] admitted = {false};
        lastSent.compute(a.dedupeKey(), (k, prev) -> {
            if (prev == null || !now.isBefore(prev.plus(window))) {
                admitted[0] = true;
                return now;
            }
            return prev;
        });
        return admitted[0];
    }

    /** Forgets every remembered failure of a job (it recovered). */
    public void forgetJob(String job) {
        String infix = "|" + job + "|";
        lastSent.keySet().removeIf(k -> k.contains(infix));
    }

    public Duration window() { return window; }
}
