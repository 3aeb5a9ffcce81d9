package io.backroute.retention;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether one candidate is kept or removed, and why: every kept candidate has at least one reason
 * ("last 3", "daily", "oldest monthly", "within 30d", "newest good (safety)"); a removed one may carry a note.
 */
public record Decision(Candidate c, boolean keep, List<String> reasons) {

    public Decision {
        reasons = List.copyOf(reasons);
    }

    /** This decision turned into a keep, with {@code reason} appended. */
    public Decision kept(String reason) {
        return new Decision(c, true, append(keep ? reasons : List.of(), reason));
    }

    private static List<String> append(List<String> list, String item) {
        List<String> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }
}
