package io.backroute.retention;

import io.backroute.catalog.RunStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Safety rails applied to a policy's decisions before anything is deleted: they only ever turn removals into keeps.
 * <ul>
 *   <li>a candidate of another job than the one being pruned is never touched ("other job (safety)");</li>
 *   <li>when the job's latest run FAILED and the option is on, nothing is removed ("latest run failed: pruning skipped");</li>
 *   <li>the newest good artifact is never removed ("newest good (safety)");</li>
 *   <li>at least {@code minKeep} artifacts stay, the newest ones ("min-keep").</li>
 * </ul>
 */
public record SafetyRails(int minKeep, boolean skipWhenLatestRunFailed) {

    public static final String OTHER_JOB = "other job (safety)";
    public static final String PRUNING_SKIPPED = "latest run failed: pruning skipped";
    public static final String NEWEST_GOOD = "newest good (safety)";
    public static final String MIN_KEEP = "min-keep";

    public SafetyRails {
        if (minKeep < 1) {
            throw new IllegalArgumentException("min-keep must be >= 1, got " + minKeep);
        }
    }

    /** The rails a policy configures. */
    public static SafetyRails of(RetentionPolicy policy) {
        return new SafetyRails(policy.minKeep(), policy.skipWhenLatestRunFailed());
    }

    /**
     * Applies the rails to {@code decisions} for {@code job}; the result has the same candidates, newest first.
     *
     * @param latestRunStatus status of the job's latest run from the catalog, or null when it has none
     */
    public List<Decision> apply(String job, List<Decision> decisions, RunStatus latestRunStatus) {
        List<Decision> out = new ArrayList<>(decisions);
        out.sort((a, b) -> RetentionPolicy.NEWEST_FIRST.compare(a.c(), b.c()));
        List<Integer> own = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Decision d = out.get(i);
            if (!d.c().job().equals(job)) {
                out.set(i, new Decision(d.c(), true, List.of(OTHER_JOB)));
            } else {
                own.add(i);
            }
        }
        if (skipWhenLatestRunFailed && latestRunStatus == RunStatus.FAILED) {
            for (int i : own) {
                Decision d = out.get(i);
                out.set(i, new Decision(d.c(), true, append(d.keep() ? d.reasons() : List.of(), PRUNING_SKIPPED)));
            }
            return out;
        }
        Optional<Integer> newestGood = own.stream().filter(i -> out.get(i).c().good()).findFirst();
        newestGood.ifPresent(i -> {
            if (!out.get(i).keep()) {
                out.set(i, out.get(i).kept(NEWEST_GOOD));
            }
        });
        long kept = own.stream().filter(i -> out.get(i).keep()).count();
        for (int i : own) {
            if (kept >= minKeep) {
                break;
            }
            if (!out.get(i).keep()) {
                out.set(i, out.get(i).kept(MIN_KEEP));
                kept++;
            }
        }
        return out;
    }

    private static List<String> append(List<String> list, String item) {
        List<String> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }
}
