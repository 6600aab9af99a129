package dev.dbstack.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The documented JSON output of {@code preview --json} and {@code up --json},
 * {@code docs/plan-output.schema.json}, as a validator (draft 2020-12, formats asserted): the plan
 * document at its root, an event line at {@code $defs/event}.
 */
public final class PlanOutputSchema {
    public static final Path FILE = Path.of("docs/plan-output.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PlanOutputSchema instance;

    private final JsonNode raw;
    private final JsonSchema document;
    private final JsonSchema event;

    private PlanOutputSchema(JsonNode raw) {
        this.raw = raw;
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        this.document = factory.getSchema(raw, config);
        // The same definitions, entered at the event.
        ObjectNode atEvent = JSON.createObjectNode();
        atEvent.put("$schema", raw.get("$schema").asText());
        atEvent.set("$defs", raw.get("$defs"));
        atEvent.put("$ref", "#/$defs/event");
        this.event = factory.getSchema(atEvent, config);
    }

    public static synchronized PlanOutputSchema load() {
        if (instance == null) {
            try {
                instance = new PlanOutputSchema(JSON.readTree(FILE.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public JsonNode raw() {
        return raw;
    }

    /** Violations of the plan document, as {@code path: message}; empty when valid. */
    public List<String> validateDocument(JsonNode doc) {
        return messages(document, doc);
    }

    /** Violations of one {@code up --json} event line. */
    public List<String> validateEvent(JsonNode line) {
        return messages(event, line);
    }

    private static List<String> messages(JsonSchema schema, JsonNode node) {
        return schema.validate(node).stream().map(ValidationMessage::toString).sorted().toList();
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }
}
