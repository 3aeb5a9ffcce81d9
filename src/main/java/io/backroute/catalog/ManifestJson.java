package io.backroute.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backroute.BackupException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes artifact manifests as pretty JSON with a stable field order and ISO-8601 UTC instants.
 */
public final class ManifestJson {

    private static final String STAGE = "manifest";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            // Nested maps come from sources and codecs in any order; sorting makes the bytes reproducible.
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    private ManifestJson() {
    }

    /** Writes {@code m} to {@code out} (left open) as UTF-8 pretty JSON ending with a newline; null optionals are omitted. */
    public static void write(Manifest m, OutputStream out) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", m.formatVersion());
        root.put("job", m.job());
        root.put("runId", m.runId());
        root.put("artifact", m.artifact());
        root.put("sourceKind", m.sourceKind());
        root.put("artifactKind", m.artifactKind());
        putIfPresent(root, "label", m.label());
        root.put("started", m.started() == null ? null : m.started().toString());
        root.put("finished", m.finished() == null ? null : m.finished().toString());
        root.put("plainSize", m.plainSize());
        root.put("plainSha256", m.plainSha256());
        root.put("storedSize", m.storedSize());
        root.put("storedSha256", m.storedSha256());
        putMap(root, "compression", m.compression());
        putMap(root, "encryption", m.encryption());
        putMap(root, "source", m.source());
        putMap(root, "tools", m.tools());
        putIfPresent(root, "restoreHint", m.restoreHint());
        try {
            JsonGenerator gen = new JsonFactory().createGenerator(out);
            gen.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            // Fixed "\n" line ends: the platform separator would make manifests differ between hosts.
            DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(indenter)
                    .withArrayIndenter(indenter);
            gen.setPrettyPrinter(printer);
            MAPPER.writeTree(gen, root);
            gen.writeRaw('\n');
            gen.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write manifest of artifact " + m.artifact() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a manifest, rejecting a missing or unknown format version and missing required fields; unknown fields
     * are ignored so that older readers accept newer manifests of the same format version.
     *
     * @param nameForErrors the manifest's key or path, named in every error
     */
    public static Manifest read(InputStream in, String nameForErrors) {
        JsonNode root;
        try {
            root = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw invalid(nameForErrors, "not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + " column " + e.getLocation().getColumnNr()), e);
        } catch (IOException e) {
            throw new BackupException(STAGE, "cannot read manifest " + nameForErrors + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw invalid(nameForErrors, "empty document", null);
        }
        if (!root.isObject()) {
            throw invalid(nameForErrors, "expected a JSON object, found " + root.getNodeType(), null);
        }
        JsonNode version = root.get("formatVersion");
        if (version == null || version.isNull()) {
            throw invalid(nameForErrors, "missing required field 'formatVersion'", null);
        }
        if (!version.isIntegralNumber() || version.asInt() != Manifest.FORMAT_VERSION) {
            throw invalid(nameForErrors, "unsupported formatVersion " + version + " (this Backroute reads "
                    + Manifest.FORMAT_VERSION + ")", null);
        }
        Fields f = new Fields(root, nameForErrors);
        return new Manifest(Manifest.FORMAT_VERSION, f.text("job"), f.text("runId"), f.text("artifact"),
                f.text("sourceKind"), f.text("artifactKind"), f.optionalText("label"), f.instant("started"),
                f.instant("finished"), f.size("plainSize"), f.text("plainSha256"), f.size("storedSize"),
                f.text("storedSha256"), f.map("compression"), f.map("encryption"), f.map("source"),
                f.stringMap("tools"), f.optionalText("restoreHint"));
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putMap(ObjectNode node, String field, Map<String, ?> value) {
        if (value != null) {
            node.set(field, MAPPER.valueToTree(new TreeMap<>(value)));
        }
    }

    private static BackupException invalid(String name, String problem, Throwable cause) {
        return new BackupException(STAGE, "invalid manifest " + name + ": " + problem, cause);
    }

    /** Typed access to the fields of one manifest, each failure naming the manifest and the field. */
    private record Fields(JsonNode root, String name) {

        String text(String field) {
            JsonNode n = required(field);
            if (!n.isTextual() || n.asText().isEmpty()) {
                throw invalid(name, "field '" + field + "' must be a non-empty string", null);
            }
            return n.asText();
        }

        String optionalText(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isTextual()) {
                throw invalid(name, "field '" + field + "' must be a string", null);
            }
            return n.asText();
        }

        Instant instant(String field) {
            String text = text(field);
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw invalid(name, "field '" + field + "' is not an ISO-8601 UTC instant: " + text, e);
            }
        }

        long size(String field) {
            JsonNode n = required(field);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
                throw invalid(name, "field '" + field + "' must be a non-negative integer, found " + n, null);
            }
            return n.asLong();
        }

        Map<String, Object> map(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isObject()) {
                throw invalid(name, "field '" + field + "' must be an object", null);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> value = MAPPER.convertValue(n, LinkedHashMap.class);
            return value;
        }

        Map<String, String> stringMap(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isObject()) {
                throw invalid(name, "field '" + field + "' must be an object", null);
            }
            Map<String, String> value = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw invalid(name, "field '" + field + "." + e.getKey() + "' must be a string", null);
                }
                value.put(e.getKey(), e.getValue().asText());
            });
            return value;
        }

        private JsonNode required(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                throw invalid(name, "missing required field '" + field + "'", null);
            }
            return n;
        }
    }
}
