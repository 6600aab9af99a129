package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.SourceRef;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plan against what exists: desired objects × recorded state × the live cluster (read in
 * bulk by the caller). Kubernetes' rules live here: immutable StatefulSet fields force a replace,
 * a grown volume is an expand-volume, a shrunk one is refused, and no PersistentVolumeClaim is
 * deleted unless the user named its service with {@code --delete-data}.
 */
public final class Planner {
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final List<String> REPLACE_FIELDS = List.of("spec.selector", "spec.serviceName", "spec.podManagementPolicy");

    /** The cluster as read: objects, and for expand-volume the StorageClasses that allow expansion. */
    public record Live(Map<ObjectRef, JsonNode> objects, Set<String> expandableStorageClasses, String defaultStorageClass) {}

    private Planner() {}

    public static Plan plan(String project, String stack, RenderedStack desired, Map<ObjectRef, Recorded> recorded,
                            Live live, Set<String> deleteData) {
        List<Step> steps = new ArrayList<>();
        List<Problem> refused = new ArrayList<>();
        Set<ObjectRef> wanted = new HashSet<>();
        for (Map.Entry<String, List<HasMetadata>> app : desired.appObjects().entrySet()) {
            for (HasMetadata o : app.getValue()) step(app.getKey(), null, o, recorded, live, steps, refused, wanted);
        }
        for (ServiceId id : desired.graph().applyOrder()) {
            RenderedService s = desired.service(id);
            for (HasMetadata o : s.objects()) step(id.app(), id, o, recorded, live, steps, refused, wanted);
        }
        // What state recorded and config no longer wants goes, consumers before providers.
        List<Recorded> gone = new ArrayList<>(recorded.values().stream().filter(r -> !wanted.contains(r.ref())).toList());
        Collections.reverse(gone);
        for (Recorded r : gone) {
            if (!live.objects().containsKey(r.ref())) continue;
            if (r.ref().kind().equals("PersistentVolumeClaim") && !named(deleteData, r.service())) {
                refused.add(new Problem(SourceRef.UNKNOWN, r.ref().toString(), "removing layer " + r.service()
                        + " would delete its PersistentVolumeClaim and the data on it; to do that, run again with"
                        + " --delete-data " + r.service()));
                continue;
            }
            if (r.ref().kind().equals("Namespace")) continue; // deleting a namespace deletes the claims in it
            steps.add(new Step(Action.DELETE, r.app(), r.service(), r.ref(), "no longer in the stack's configuration"
                    + (r.ref().kind().equals("StatefulSet") ? "; its PersistentVolumeClaims are kept" : ""), List.of(), null));
        }
        if (!refused.isEmpty()) throw new PlanRefusedException(refused);
        return new Plan(project, stack, List.copyOf(steps), desired.warnings());
    }

    private static boolean named(Set<String> deleteData, ServiceId service) {
        return service != null && (deleteData.contains(service.toString()) || deleteData.contains(service.layer()));
    }

    private static void step(String app, ServiceId service, HasMetadata o, Map<ObjectRef, Recorded> recorded, Live live,
                             List<Step> steps, List<Problem> refused, Set<ObjectRef> wanted) {
        ObjectRef ref = ObjectRef.of(o);
        wanted.add(ref);
        JsonNode current = live.objects().get(ref);
        if (current == null) {
            steps.add(new Step(Action.CREATE, app, service, ref, "not in the cluster yet", List.of(), o));
            return;
        }
        JsonNode want = SERIALIZATION.convertValue(o, JsonNode.class);
        List<String> changed = ManagedDiff.changedPaths(want, current);
        if (changed.isEmpty()) return;
        Recorded last = recorded.get(ref);
        boolean configUnchanged = last != null && last.lastApplied() != null
                && ManagedDiff.changedPaths(withoutSecretData(want), last.lastApplied()).isEmpty();

        if (o instanceof StatefulSet sts) {
            List<String> forcing = changed.stream().filter(p -> REPLACE_FIELDS.stream().anyMatch(p::startsWith)).toList();
            List<String> volumes = changed.stream().filter(p -> p.startsWith("spec.volumeClaimTemplates")).toList();
            if (!volumes.isEmpty()) {
                Action a = volumeChange(sts, current, ref, live, refused);
                if (a == null) return;
                if (forcing.isEmpty()) {
                    steps.add(new Step(Action.EXPAND_VOLUME, app, service, ref, "storage grew: each claim is patched,"
                            + " the StatefulSet is deleted with orphan propagation and recreated; pods and data stay",
                            changed, o));
                    return;
                }
            }
            if (!forcing.isEmpty()) {
                steps.add(new Step(Action.REPLACE, app, service, ref, String.join(", ", forcing) + " cannot change on a"
                        + " StatefulSet: deleted with orphan propagation and recreated, claims kept", changed, o));
                return;
            }
        }
        steps.add(new Step(configUnchanged ? Action.DRIFT : Action.UPDATE, app, service, ref,
                configUnchanged ? "changed in the cluster since the last apply; up restores it" : "configuration changed",
                changed, o));
    }

    /** EXPAND_VOLUME when every template only grew and may grow; null (with a refusal) otherwise. */
    private static Action volumeChange(StatefulSet sts, JsonNode current, ObjectRef ref, Live live, List<Problem> refused) {
        StatefulSet was = SERIALIZATION.convertValue(current, StatefulSet.class);
        for (PersistentVolumeClaim want : sts.getSpec().getVolumeClaimTemplates()) {
            PersistentVolumeClaim had = was.getSpec().getVolumeClaimTemplates().stream()
                    .filter(t -> t.getMetadata().getName().equals(want.getMetadata().getName())).findFirst().orElse(null);
            if (had == null) {
                refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "a new volume template cannot be added to"
                        + " an existing StatefulSet's pods"));
                return null;
            }
            List<String> other = ManagedDiff.changedPaths(SERIALIZATION.convertValue(want, JsonNode.class),
                    SERIALIZATION.convertValue(had, JsonNode.class)).stream()
                    .filter(p -> !p.equals("spec.resources.requests.storage")).toList();
            if (!other.isEmpty()) {
                refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "volume template '" + want.getMetadata().getName()
                        + "' changed in " + String.join(", ", other) + ": existing claims cannot change that; only storage"
                        + " can grow. Create a new service and migrate the data"));
                return null;
            }
            BigDecimal before = bytes(had);
            BigDecimal after = bytes(want);
            if (after.compareTo(before) < 0) {
                refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "storage cannot shrink (" + size(had) + " → "
                        + size(want) + "): Kubernetes volumes only grow; to shrink, create a new service and migrate"));
                return null;
            }
            String sc = want.getSpec().getStorageClassName() != null ? want.getSpec().getStorageClassName()
                    : live.defaultStorageClass();
            if (after.compareTo(before) > 0 && (sc == null || !live.expandableStorageClasses().contains(sc))) {
                refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "storage cannot grow: StorageClass '" + sc
                        + "' does not allow volume expansion (allowVolumeExpansion: true)"));
                return null;
            }
        }
        return Action.EXPAND_VOLUME;
    }

    private static BigDecimal bytes(PersistentVolumeClaim c) {
        return Quantity.getAmountInBytes(c.getSpec().getResources().getRequests().get("storage"));
    }

    private static String size(PersistentVolumeClaim c) {
        return c.getSpec().getResources().getRequests().get("storage").toString();
    }

    /** What state may hold of an object: a Secret's values are never recorded. */
    public static JsonNode withoutSecretData(JsonNode object) {
        if (!"Secret".equals(object.path("kind").asText())) return object;
        com.fasterxml.jackson.databind.node.ObjectNode copy = object.deepCopy();
        copy.remove("data");
        copy.remove("stringData");
        return copy;
    }
}
