package io.backroute.alert;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivery counters per job (channel deliveries sent, failed, and alerts suppressed by the dedupe window), for the
 * job MBean. Service-level alerts (startup, disk) count under the empty job id.
 */
public final class AlertStats {

    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> suppressed = new ConcurrentHashMap<>();

    public long sent(String job) { return get(sent, job); }

    public long failed(String job) { return get(failed, job); }

    public long suppressed(String job) { return get(suppressed, job); }

    public long failedTotal() { return failed.values().stream().mapToLong(LongAdder::sum).sum(); }

    public long sentTotal() { return sent.values().stream().mapToLong(LongAdder::sum).sum(); }

    void recordSent(String job) { add(sent, job); }

    void recordFailed(String job) { add(failed, job); }

    void recordSuppressed(String job) { add(suppressed, job); }

    private static long get(Map<String, LongAdder> m, String job) {
        LongAdder a = m.get(job == null ? "" : job);
        return a == null ? 0 : a.sum();
    }

    private static void add(Map<String, LongAdder> m, String job) {
        m.computeIfAbsent(job == null ? "" : job, k -> new LongAdder()).increment();
    }
}
