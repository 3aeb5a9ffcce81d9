package io.backroute.dump;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The string options of one source endpoint, kept as given so that validation can report every problem (including unknown names) at once.
 */
final class SourceOptions {

    private final String kind;
    private final Map<String, String> values;
    private final Set<String> known;

    SourceOptions(String kind, Map<String, String> given, Set<String> known) {
        this.kind = kind;
        // TreeMap: unknown names are reported in a stable order; a null map is just "no options".
        this.values = given == null ? new TreeMap<>() : new TreeMap<>(given);
        this.known = known;
    }

    /** The trimmed value, or null when absent or blank (a blank option is as good as a missing one). */
    String get(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        return v.trim();
    }

    /** Adds one problem per option name this source does not know, so a typo never passes silently. */
    void reportUnknown(List<String> problems) {
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                problems.add(kind + " source: unknown option '" + name + "'; known options are "
                        + String.join(", ", known) + " (check the spelling in the endpoint URI)");
            }
        }
    }

    Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * Splits a comma-separated list of globs, keeping commas inside {@code {a,b}} groups and
     * {@code [..]} classes, because those are part of glob syntax.
     */
    static List<String> splitGlobs(String list) {
        List<String> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        int braces = 0;
        boolean inClass = false;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '\\' && i + 1 < list.length()) {
                cur.append(c).append(list.charAt(++i));
                continue;
            }
            if (c == '[' && !inClass) {
                inClass = true;
            } else if (c == ']' && inClass) {
                inClass = false;
            } else if (c == '{' && !inClass) {
                braces++;
            } else if (c == '}' && !inClass && braces > 0) {
                braces--;
            } else if (c == ',' && braces == 0 && !inClass) {
                addGlob(out, cur);
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        addGlob(out, cur);
        return out;
    }

    private static void addGlob(List<String> out, StringBuilder cur) {
        String g = cur.toString().trim();
        if (!g.isEmpty()) {
            out.add(g);
        }
    }
}
