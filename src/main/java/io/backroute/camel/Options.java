package io.backroute.camel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Endpoint URI parameters as plain strings (RAW(...) unwrapped), for components that accept open option sets. */
final class Options {

    private Options() { }

    static Map<String, String> take(Map<String, Object> parameters) {
        Map<String, String> out = new LinkedHashMap<>();
        parameters.forEach((k, v) -> out.put(k, unwrap(v == null ? null : v.toString())));
        parameters.clear();
        return out;
    }

    static String unwrap(String v) {
        if (v != null && (v.startsWith("RAW(") && v.endsWith(")") || v.startsWith("RAW{") && v.endsWith("}"))) {
            return v.substring(4, v.length() - 1);
        }
        return v;
    }
}
