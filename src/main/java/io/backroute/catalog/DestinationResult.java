package io.backroute.catalog;

import java.util.List;

/**
 * What happened at one destination in one run.
 *
 * @param destination destination name from config
 * @param ok          true when every artifact was stored, verified and manifested
 * @param bytes       stored bytes written to this destination
 * @param durationMs  wall time spent on this destination
 * @param artifacts   keys of the artifacts committed there (relative to the destination root)
 * @param error       error summary when not ok (no secrets), else null
 */
public record DestinationResult(String destination, boolean ok, long bytes, long durationMs,
                                List<String> artifacts, String error) {

    public String status() { return ok ? "OK" : "FAILED"; }
}
