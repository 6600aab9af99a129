package dev.dbstack.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.catalog.ReadyCondition;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The readiness check of each kind, and how an object's own catalog conditions join it. An immutable
 * value: {@link #with} gives a copy where a kind has another check (a type's Java hook, a CRD's
 * status), handed to {@link Applier}'s constructor.
 */
public final class ReadinessChecks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Readiness> byKind;

    private ReadinessChecks(Map<String, Readiness> byKind) {
        this.byKind = byKind;
    }

    public static ReadinessChecks builtIn() {
        Map<String, Readiness> m = new TreeMap<>();
        m.put("StatefulSet", Readiness.STATEFUL_SET);
        m.put("Deployment", Readiness.DEPLOYMENT);
        m.put("Job", Readiness.JOB);
        m.put("PersistentVolumeClaim", Readiness.PERSISTENT_VOLUME_CLAIM);
        return new ReadinessChecks(m);
    }

    /** A copy where objects of {@code kind} are judged by {@code check}. */
    public ReadinessChecks with(String kind, Readiness check) {
        Map<String, Readiness> m = new TreeMap<>(byKind);
        m.put(kind, check);
        return new ReadinessChecks(m);
    }

    /**
     * What must hold on the live {@code desired} object before its service counts as ready: its
     * kind's check, then the conditions its component declared (carried in the
     * {@link Labels#READY_WHEN} annotation). Null when being written is enough ({@link Readiness#EXISTS}),
     * so that apply reads nothing back.
     */
    public Readiness of(HasMetadata desired) {
        Readiness check = byKind.getOrDefault(desired.getKind(), Readiness.EXISTS);
        List<ReadyCondition> declared = declared(desired);
        if (!declared.isEmpty()) check = check.and(Readiness.conditions(declared));
        return check == Readiness.EXISTS ? null : check;
    }

    private static List<ReadyCondition> declared(HasMetadata desired) {
        Map<String, String> annotations = desired.getMetadata().getAnnotations();
        String text = annotations == null ? null : annotations.get(Labels.READY_WHEN);
        if (text == null) return List.of();
        List<ReadyCondition> out = new ArrayList<>();
        try {
            for (JsonNode c : JSON.readTree(text)) out.add(ReadyCondition.parse(c.asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("annotation " + Labels.READY_WHEN + " is not a JSON list of conditions: " + text);
        }
        return out;
    }
}
