package dev.dbstack.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.Problem;
import java.util.List;

/**
 * A plan as the machine-readable document of {@code preview --json} and the first line of
 * {@code up --json}: schema version 1, described by {@code docs/plan-output.schema.json}.
 * Built only from what a step says about itself (action, object, app, layer, reason, changed field
 * paths), never from the objects it writes: no value of a Secret, or of anything else, reaches it.
 */
public final class PlanReport {
    /** Bumped on a change a consumer could trip over (a field removed, renamed or retyped); additions keep it. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PlanReport() {}

    /** The document of a plan that was made. */
    public static ObjectNode of(Plan plan) {
        ObjectNode doc = head(plan.project(), plan.stack());
        ArrayNode steps = doc.putArray("steps");
        for (Step s : plan.steps()) steps.add(step(s));
        doc.putArray("refusals");
        ArrayNode warnings = doc.putArray("warnings");
        plan.warnings().forEach(warnings::add);
        ObjectNode summary = doc.putObject("summary");
        plan.counts().forEach((action, n) -> summary.put(action.verb(), n));
        // A targeted plan (--target): what it selects, and the steps it leaves for a later run.
        ArrayNode targets = doc.putArray("targets");
        plan.targets().named().forEach(targets::add);
        ArrayNode deferred = doc.putArray("deferred");
        for (Step s : plan.deferred()) deferred.add(step(s));
        summary.put("deferred", plan.deferred().size());
        return doc;
    }

    /**
     * The document of a plan that was refused, or of input that could not be planned: no steps, the
     * problems as refusals. {@code project} and {@code stack} are null when they could not be read.
     */
    public static ObjectNode refused(String project, String stack, List<Problem> problems) {
        ObjectNode doc = head(project, stack);
        doc.putArray("steps");
        ArrayNode refusals = doc.putArray("refusals");
        for (Problem p : problems) {
            ObjectNode r = refusals.addObject();
            String file = p.source().file();
            int line = p.source().line();
            if (file.isEmpty()) r.putNull("file");
            else r.put("file", file);
            if (file.isEmpty() || line <= 0) r.putNull("line");
            else r.put("line", line);
            if (p.key() == null || p.key().isEmpty()) r.putNull("key");
            else r.put("key", p.key());
            r.put("message", p.message());
        }
        doc.putArray("warnings");
        ObjectNode summary = doc.putObject("summary");
        for (Action a : Action.values()) summary.put(a.verb(), 0);
        return doc;
    }

    private static ObjectNode head(String project, String stack) {
        ObjectNode doc = NODES.objectNode();
        doc.put("schemaVersion", SCHEMA_VERSION);
        doc.put("project", project);
        doc.put("stack", stack);
        return doc;
    }

    private static ObjectNode step(Step s) {
        ObjectNode n = NODES.objectNode();
        ObjectRef ref = s.object();
        n.put("op", s.action().verb());
        n.put("kind", ref.kind());
        n.put("apiVersion", ref.apiVersion());
        if (ref.namespace().isEmpty()) n.putNull("namespace");
        else n.put("namespace", ref.namespace());
        n.put("name", ref.name());
        n.put("app", s.app());
        n.put("layer", s.service() == null ? null : s.service().layer());
        n.put("reason", s.reason());
        ArrayNode fields = n.putArray("changedFields");
        s.fields().forEach(fields::add);
        return n;
    }

    /** One line, for JSON Lines streams. */
    public static String compact(ObjectNode doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Indented, for a document read on its own. */
    public static String pretty(ObjectNode doc) {
        try {
            return JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
