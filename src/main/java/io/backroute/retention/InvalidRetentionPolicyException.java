package io.backroute.retention;

import java.util.List;

/** A retention policy that cannot be used, with every problem found (not only the first). */
public class InvalidRetentionPolicyException extends IllegalArgumentException {

    private final List<String> problems;

    public InvalidRetentionPolicyException(List<String> problems) {
        super("invalid retention policy: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
