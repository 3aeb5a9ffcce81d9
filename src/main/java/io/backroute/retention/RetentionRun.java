package io.backroute.retention;

import java.util.List;

/**
 * What retention decided (and, unless a dry run, did) for one job at one destination.
 *
 * @param job           the job
 * @param destination   the destination name
 * @param policy        the effective policy as text
 * @param decisions     one per run found at the destination (its artifacts share the decision), newest first
 * @param removedKeys   keys actually deleted (artifacts, manifests, orphans), empty for a dry run
 * @param orphans       our artifacts without a manifest, or manifests without an artifact, older than the grace period
 * @param dryRun        true when nothing was deleted
 * @param error         what went wrong, or null
 */
public record RetentionRun(String job, String destination, String policy, List<RunDecision> decisions,
                           List<String> removedKeys, List<String> orphans, boolean dryRun, String error) {

    /** The decision for one run and the keys (artifacts and manifests) that belong to it. */
    public record RunDecision(String runId, String time, boolean keep, List<String> reasons, List<String> artifacts) { }

    public long kept() { return decisions.stream().filter(RunDecision::keep).count(); }

    public long removed() { return decisions.stream().filter(d -> !d.keep()).count(); }

    /** Text form for the CLI and JMX: one line per run with keep/remove and the reasons. */
    public static String render(List<RetentionRun> runs) {
        StringBuilder o = new StringBuilder();
        for (RetentionRun r : runs) {
            o.append(String.format("%s at %s%s: policy %s%n", r.job(), r.destination(), r.dryRun() ? " (dry run)" : "", r.policy()));
            if (r.error() != null) {
                o.append("  ERROR ").append(r.error()).append(System.lineSeparator());
                continue;
            }
            for (RunDecision d : r.decisions()) {
                o.append(String.format("  %-6s %-32s %-22s %s%n", d.keep() ? "keep" : "remove", d.runId(), d.time(),
                        String.join(", ", d.reasons())));
            }
            for (String orphan : r.orphans()) {
                o.append(String.format("  %-6s %s (orphan)%n", "sweep", orphan));
            }
            o.append(String.format("  %d kept, %d %s%n", r.kept(), r.removed(), r.dryRun() ? "would be removed" : "removed"));
        }
        return o.toString();
    }
}
