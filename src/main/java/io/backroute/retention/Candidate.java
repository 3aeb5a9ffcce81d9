package io.backroute.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * One manifested artifact that retention may keep or remove.
 *
 * @param key  the artifact's key at the destination
 * @param job  the job the manifest names
 * @param time the run start read from the manifest, never from the name or the file time
 * @param good true when the artifact is known usable (manifested and, once drills exist, verified)
 */
public record Candidate(String key, String job, Instant time, boolean good) {

    public Candidate {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(time, "time");
    }
}
