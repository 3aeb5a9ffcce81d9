package io.backroute.config;

import java.util.List;

/** Startup validation failed: carries every problem found, so the operator fixes them all in one go. */
public class ConfigurationException extends RuntimeException {

    private final List<String> problems;

    public ConfigurationException(List<String> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() { return problems; }

    private static String render(List<String> problems) {
        StringBuilder sb = new StringBuilder("Backroute configuration has ").append(problems.size())
                .append(problems.size() == 1 ? " problem" : " problems").append("; nothing was scheduled:");
        int i = 1;
        for (String p : problems) {
            sb.append(System.lineSeparator()).append("  ").append(i++).append(". ").append(p);
        }
        return sb.toString();
    }
}
