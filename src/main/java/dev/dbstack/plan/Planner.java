package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.catalog.VersionChange;
import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Deployment;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.render.Labels;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The plan against what exists: desired objects × what state knows × the live cluster (read in
 * bulk by the caller). Kubernetes' rules live here: immutable StatefulSet fields force a replace,
 * a grown volume is an expand-volume, a shrunk one is refused. So do the rules that keep a
 * database's data: a version change the catalog does not call safe, a change of type or of where
 * the data lives, and a new empty database where removed data of its kind stays behind are refused
 * before anything is written; a removed database's claims and credentials are kept unless the user
 * named it with {@code --delete-data}.
 */
public final class Planner {
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final com.fasterxml.jackson.databind.ObjectMapper INIT_JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final List<String> REPLACE_FIELDS = List.of("spec.selector", "spec.serviceName", "spec.podManagementPolicy");
    /**
     * Deletes: a Velero Schedule first (no backup starts of an app going away; its Backups stay), workloads before the Services and Secrets they use, then the virtual cluster's quota and defaults
     * (the namespace stays, with any data kept in it), claims, and a database's NetworkPolicy last, so its pods
     * stay protected while they terminate.
     */
    private static final List<String> DELETE_ORDER = List.of("Schedule", "Deployment", "StatefulSet", "Service", "ConfigMap", "Secret",
            "ResourceQuota", "LimitRange", "PersistentVolumeClaim", "NetworkPolicy");

    /** The cluster as read: the stack's objects, the claims in its namespaces, and for expand-volume the StorageClasses. */
    public record Live(Map<ObjectRef, JsonNode> objects, Set<String> expandableStorageClasses, String defaultStorageClass) {

        /** The claims a StatefulSet's templates made in {@code namespace}: {@code <template>-<workload>-<ordinal>}. */
        public List<ObjectRef> claimsOf(String namespace, String workload, Collection<String> templates) {
            List<ObjectRef> out = new ArrayList<>();
            for (String t : templates) {
                Pattern name = Pattern.compile(Pattern.quote(t + "-" + workload + "-") + "\\d+");
                objects.keySet().stream().filter(r -> r.kind().equals("PersistentVolumeClaim") && r.namespace().equals(namespace)
                        && name.matcher(r.name()).matches()).sorted().forEach(out::add);
            }
            return out;
        }
    }

    /** What state knows: the objects dbstack applied, and the data it keeps of removed databases. */
    public record Known(Map<ObjectRef, Recorded> objects, Map<ServiceId, Retained> retained) {
        public static Known nothing() {
            return new Known(Map.of(), Map.of());
        }
    }

    /**
     * What the user allowed by naming services, each {@code app/layer} or a layer name (every app's):
     * deleting their data, a major upgrade the server only does under a condition, a downgrade within
     * a version family, and a new empty database where removed data of the same type stays behind.
     */
    public record Options(Set<String> deleteData, Set<String> allowMajorUpgrade, Set<String> allowDowngrade,
                          Set<String> startEmpty) {
        public static final Options NONE = new Options(Set.of(), Set.of(), Set.of(), Set.of());

        public static Options deleteData(Set<String> services) {
            return new Options(services, Set.of(), Set.of(), Set.of());
        }

        static boolean names(Set<String> names, ServiceId id) {
            return id != null && (names.contains(id.toString()) || names.contains(id.layer()));
        }
    }

    private Planner() {}

    public static Plan plan(String project, String stack, RenderedStack desired, Catalog catalog, Known known, Live live,
                            Options options) {
        Planning p = new Planning(desired.graph().model(), catalog, known, live, options);
        for (Map.Entry<String, List<HasMetadata>> app : desired.appObjects().entrySet()) {
            for (HasMetadata o : app.getValue()) p.object(app.getKey(), null, o, DataCheck.NONE);
        }
        for (ServiceId id : desired.graph().applyOrder()) p.service(desired.service(id));
        p.removals(known.objects().values().stream().filter(r -> !p.wanted.contains(r.ref())).toList());
        p.releaseNamed();
        p.refuseFreshWhereDataStaysBehind();
        p.refuseUnknownNames(desired.graph().services());
        // After the steps are known: claims this plan deletes no longer count against the quota.
        p.refused.addAll(VirtualClusterCheck.check(p.model, desired, live, p.steps.stream()
                .filter(st -> st.action() == Action.DELETE).map(Step::object).collect(java.util.stream.Collectors.toSet())));
        p.throwIfRefused();
        List<String> warnings = new ArrayList<>(desired.warnings());
        warnings.addAll(p.warnings);
        return new Plan(project, stack, List.copyOf(p.steps), List.copyOf(warnings));
    }

    /** Everything the stack applied goes; data stays unless {@code --delete-data} names its service. */
    public static Plan destroy(String project, String stack, Catalog catalog, Known known, Live live, Options options) {
        Planning p = new Planning(null, catalog, known, live, options);
        p.removals(List.copyOf(known.objects().values()));
        p.releaseNamed();
        p.throwIfRefused();
        return new Plan(project, stack, List.copyOf(p.steps), List.copyOf(p.warnings));
    }

    /** What a desired database's StatefulSet step says and does about the data it finds. */
    private record DataCheck(String note, Step.Retention retention) {
        static final DataCheck NONE = new DataCheck("", null);
    }

    /** A database about to be created with nothing to take over. */
    private record Fresh(RenderedService service, DatabaseLayer layer) {}

    /** One planning run's working set. */
    private static final class Planning {
        final StackModel model;
        final Catalog catalog;
        final Known known;
        final Live live;
        final Options options;
        final List<Step> steps = new ArrayList<>();
        final List<Problem> refused = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final Set<ObjectRef> wanted = new HashSet<>();
        final List<Fresh> fresh = new ArrayList<>();
        /** Database data whose workload this plan deletes, kept or not. */
        final List<Retained> leaving = new ArrayList<>();
        final Set<ServiceId> reattached = new HashSet<>();

        Planning(StackModel model, Catalog catalog, Known known, Live live, Options options) {
            this.model = model;
            this.catalog = catalog;
            this.known = known;
            this.live = live;
            this.options = options;
        }

        void throwIfRefused() {
            if (!refused.isEmpty()) throw new PlanRefusedException(refused);
        }

        void service(RenderedService s) {
            // A type without a server (SQLite) keeps its data on a claim of its own, which removals keep; a layer
            // that renders that claim again owns the data again, so --delete-data no longer releases it.
            if (s.layer() instanceof DatabaseLayer db && s.volume() != null) {
                refuseOtherTypesData(s, db);
                Retained kept = known.retained().get(new ServiceId(s.id().app(), db.dataName()));
                if (kept != null && kept.namespace().equals(s.namespace())) reattached.add(kept.data());
            }
            DataCheck check = s.layer() instanceof DatabaseLayer db && s.objects().stream().anyMatch(o -> o instanceof StatefulSet)
                    ? checkData(s, db) : DataCheck.NONE;
            if (s.layer() instanceof DatabaseLayer db) {
                refuseInitOnlyChanges(s, db);
                String scaled = scaleDown(s, db);
                if (!scaled.isEmpty()) check = new DataCheck(check.note() + scaled, check.retention());
            }
            for (HasMetadata o : s.objects()) {
                object(s.id().app(), s.id(), o, o instanceof StatefulSet ? check : DataCheck.NONE);
            }
        }

        void object(String app, ServiceId service, HasMetadata o, DataCheck check) {
            ObjectRef ref = ObjectRef.of(o);
            wanted.add(ref);
            JsonNode current = live.objects().get(ref);
            if (current == null) {
                steps.add(new Step(Action.CREATE, app, service, ref, "not in the cluster yet" + check.note(), List.of(), o,
                        check.retention(), Step.Write.ABSENT));
                return;
            }
            LiveVersion version = LiveVersion.of(current);
            JsonNode want = SERIALIZATION.convertValue(o, JsonNode.class);
            List<String> changed = new ArrayList<>(ManagedDiff.changedPaths(want, current));
            Recorded last = known.objects().get(ref);
            // What desired dropped since the last apply (an annotation, a container's arguments) is a change too.
            if (last != null && last.lastApplied() != null && Objects.equals(last.service(), service)) {
                ManagedDiff.removedPaths(want, last.lastApplied(), current).stream().filter(p -> !changed.contains(p))
                        .forEach(changed::add);
            }
            if (changed.isEmpty()) return;
            // Drift only when the same service applied exactly this: a renamed layer's objects change owner.
            boolean configUnchanged = last != null && last.lastApplied() != null && Objects.equals(last.service(), service)
                    && ManagedDiff.changedPaths(withoutSecretData(want), last.lastApplied()).isEmpty()
                    && ManagedDiff.removedPaths(withoutSecretData(want), last.lastApplied(), current).isEmpty();

            if (o instanceof StatefulSet sts) {
                List<String> forcing = changed.stream().filter(p -> REPLACE_FIELDS.stream().anyMatch(p::startsWith)).toList();
                List<String> volumes = changed.stream().filter(p -> p.startsWith("spec.volumeClaimTemplates")).toList();
                if (!volumes.isEmpty()) {
                    if (!volumeChange(sts, current, ref)) return;
                    if (forcing.isEmpty()) {
                        steps.add(new Step(Action.EXPAND_VOLUME, app, service, ref, "storage grew: each claim is patched,"
                                + " the StatefulSet is deleted with orphan propagation and recreated; pods and data stay"
                                + check.note(), changed, o, null, Step.Write.recreate(version,
                                DeletionPropagation.ORPHAN, grownClaims(sts, ref))));
                        return;
                    }
                }
                if (!forcing.isEmpty()) {
                    boolean selector = forcing.stream().anyMatch(f -> f.startsWith("spec.selector"));
                    // A new selector would not adopt the old pods, which would then run on without an owner.
                    steps.add(new Step(Action.REPLACE, app, service, ref, String.join(", ", forcing) + " cannot change on a"
                            + " StatefulSet: deleted and recreated, " + (selector
                            ? "its pods with it (the new selector would not adopt them); claims kept and reattached"
                            : "with orphan propagation; pods and claims adopted") + check.note(), changed, o,
                            null, Step.Write.recreate(version, selector ? DeletionPropagation.BACKGROUND
                            : DeletionPropagation.ORPHAN, List.of())));
                    return;
                }
            }
            if (ref.kind().equals("Service") && changed.contains("spec.type")
                    && (isExternalName(want) || isExternalName(current))) {
                // The API server refuses to turn a Service with a cluster IP into an ExternalName one by a patch (and
                // the way back keeps stale fields): it is a name only, holding no data, so it is deleted and recreated.
                steps.add(new Step(Action.REPLACE, app, service, ref, "spec.type changes " + (isExternalName(want)
                        ? "to" : "from") + " ExternalName, which a Service cannot be patched into: deleted and recreated"
                        + check.note(), changed, o, null, Step.Write.recreate(version, DeletionPropagation.BACKGROUND,
                        List.of())));
                return;
            }
            String parameters = parameterChanges(want, current);
            steps.add(new Step(configUnchanged ? Action.DRIFT : Action.UPDATE, app, service, ref,
                    (configUnchanged ? (secretValuesOnly(o, changed)
                            ? "its values differ from the cluster's: changed there, or by this configuration (state keeps"
                            + " no secret values to tell which); up writes them"
                            : "changed in the cluster since the last apply; up restores it")
                            : parameters != null ? "parameters: " + parameters + (o instanceof StatefulSet
                            ? "; the pods roll" : "") + (changed.stream().allMatch(p -> parameterPath(p)) ? ""
                            : "; other configuration changed too") : "configuration changed")
                            + check.note(), changed, o, null, Step.Write.patch(version,
                            patch(want, last, version))));
        }

        /** A Secret whose only difference from what was last applied is its values, which state never holds. */
        private static boolean secretValuesOnly(HasMetadata o, List<String> changed) {
            return o instanceof io.fabric8.kubernetes.api.model.Secret
                    && changed.stream().allMatch(p -> p.startsWith("data") || p.startsWith("stringData"));
        }

        private static boolean isExternalName(JsonNode service) {
            return "ExternalName".equals(service.path("spec").path("type").asText(""));
        }

        /**
         * The parameters that differ between the live object's {@link Labels#PARAMETERS} and desired's, such as
         * {@code max_connections 100 → 200, work_mem → 8MB}; null when they are the same. Parameter values are
         * server settings, never secrets, so the plan shows them.
         */
        private static String parameterChanges(JsonNode want, JsonNode current) {
            Map<String, String> before = parametersOf(current);
            Map<String, String> after = parametersOf(want);
            if (before.equals(after)) return null;
            java.util.TreeSet<String> names = new java.util.TreeSet<>(before.keySet());
            names.addAll(after.keySet());
            List<String> changes = new ArrayList<>();
            for (String name : names) {
                String was = before.get(name);
                String is = after.get(name);
                if (Objects.equals(was, is)) continue;
                changes.add(name + " " + (was == null ? "(server default)" : was) + " → " + (is == null ? "(server default)" : is));
            }
            return String.join(", ", changes);
        }

        /** A changed path that rendering parameters makes: the annotations, the arguments, the file and its mount. */
        private static boolean parameterPath(String path) {
            return path.contains(Labels.PARAMETERS) || path.contains(Labels.CONFIG_CHECKSUM) || path.matches(".*\\.args(\\[[0-9]+\\])?")
                    || path.matches("data(\\..*)?") || path.contains(".volumes") || path.contains(".volumeMounts")
                    || path.endsWith("template.metadata.annotations"); // the checksum as the template's first annotation
        }

        private static Map<String, String> parametersOf(JsonNode object) {
            Map<String, String> out = new java.util.TreeMap<>();
            String json = object.path("metadata").path("annotations").path(Labels.PARAMETERS).asText(null);
            if (json == null) return out;
            try {
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).fields()
                        .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                out.put("(unreadable annotation)", json);
            }
            return out;
        }

        /**
         * The merge patch an update sends: desired's fields plus a null for each field the last apply set and
         * desired dropped (three-way, from state's last-applied), and the resourceVersion it was planned against,
         * which makes the API server refuse it if the object changed since.
         */
        private ObjectNode patch(JsonNode want, Recorded last, LiveVersion version) {
            ObjectNode patch = ManagedDiff.mergePatch(want, last == null ? null : last.lastApplied());
            patch.with("metadata").put("resourceVersion", version.resourceVersion());
            return patch;
        }

        /** The claims an expand-volume grows: each live claim of each template, to its template's new size. */
        private List<Step.Claim> grownClaims(StatefulSet sts, ObjectRef ref) {
            List<Step.Claim> out = new ArrayList<>();
            for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
                String size = t.getSpec().getResources().getRequests().get("storage").toString();
                for (ObjectRef claim : live.claimsOf(ref.namespace(), ref.name(), List.of(t.getMetadata().getName()))) {
                    out.add(new Step.Claim(claim.name(), size, version(claim)));
                }
            }
            return out;
        }

        /** The live object as a step on it is planned against (null when absent). */
        private LiveVersion version(ObjectRef ref) {
            return LiveVersion.of(live.objects().get(ref));
        }

        // ---- a database's data: identity, version, layout -------------------------------------

        /**
         * Compares a desired database with the data it will run on: its live StatefulSet, or data kept
         * from an earlier layer of that name. Refusals go to {@link #refused}.
         */
        /**
         * Fewer replicas than run now: the StatefulSet controller stops the highest ordinals and keeps their claims,
         * which the plan lists (scaling up again reattaches them, so they are never deleted for the user), with the
         * type's caution of what to do first (a replica set's members to remove); "" when the layer does not shrink.
         */
        String scaleDown(RenderedService s, DatabaseLayer db) {
            StatefulSet want = (StatefulSet) s.objects().stream().filter(o -> o instanceof StatefulSet).findFirst().orElse(null);
            if (want == null) return "";
            JsonNode current = live.objects().get(ObjectRef.of(want));
            if (current == null || !current.path("spec").path("replicas").canConvertToInt()) return "";
            int from = current.path("spec").path("replicas").asInt();
            int to = want.getSpec().getReplicas();
            if (to >= from) return "";
            List<String> pods = new ArrayList<>();
            for (int i = from - 1; i >= to; i--) pods.add(want.getMetadata().getName() + "-" + i);
            List<ObjectRef> claims = live.claimsOf(s.namespace(), want.getMetadata().getName(), templates(
                    SERIALIZATION.convertValue(want, JsonNode.class))).stream()
                    .filter(r -> ordinal(r.name()) >= to).toList();
            Component c = catalog.find(db.type(), db.engine()).orElse(null);
            if (c != null && c.replication().scaleDown() != null) {
                warnings.add("layer " + s.id() + " goes from " + from + " to " + to + " replicas: " + c.replication().scaleDown());
            }
            return "; replicas " + from + " → " + to + ": pod" + (pods.size() == 1 ? " " : "s ") + String.join(", ", pods)
                    + (pods.size() == 1 ? " stops" : " stop") + (claims.isEmpty() ? ""
                    : "; " + names(claims) + (claims.size() == 1 ? " is" : " are") + " kept (scaling up again reattaches "
                    + (claims.size() == 1 ? "it" : "them") + "; delete by hand to free the storage)");
        }

        /** The ordinal at the end of a StatefulSet's pod or claim name ({@code data-pg-2} → 2); -1 without one. */
        private static int ordinal(String name) {
            int dash = name.lastIndexOf('-');
            String tail = dash < 0 ? "" : name.substring(dash + 1);
            return tail.matches("\\d{1,9}") ? Integer.parseInt(tail) : -1;
        }

        DataCheck checkData(RenderedService s, DatabaseLayer db) {
            ServiceId id = s.id();
            ServiceId dataId = new ServiceId(id.app(), db.dataName());
            StatefulSet wantSts = (StatefulSet) s.objects().stream().filter(o -> o instanceof StatefulSet).findFirst().orElseThrow();
            JsonNode want = SERIALIZATION.convertValue(wantSts, JsonNode.class);
            JsonNode sts = live.objects().get(ObjectRef.of(wantSts));
            Component c = catalog.resolve(db.type(), db.engine(), db.version());
            String oldType;
            String oldEngine;
            String oldVersion;
            Retained kept = null;
            String where;
            if (sts != null) {
                oldType = sts.path("metadata").path("labels").path(Labels.TYPE).asText(db.type());
                oldEngine = engineOf(sts);
                oldVersion = versionOf(sts);
                where = "StatefulSet " + s.namespace() + "/" + db.dataName();
            } else {
                List<ObjectRef> claims = live.claimsOf(s.namespace(), db.dataName(), templates(want));
                kept = known.retained().get(dataId);
                if (kept != null && (!kept.namespace().equals(s.namespace()) || claims.isEmpty())) kept = null;
                if (kept == null) {
                    if (claims.isEmpty() && refuseOtherTypesData(s, db)) return DataCheck.NONE;
                    if (claims.isEmpty() && refuseInPlaceOfExternal(s, db)) return DataCheck.NONE;
                    if (claims.isEmpty()) {
                        fresh.add(new Fresh(s, db));
                    } else {
                        warnings.add("layer " + id + " takes over " + names(claims) + ", which dbstack has no record of:"
                                + " it cannot tell which database type and version wrote them");
                    }
                    return DataCheck.NONE;
                }
                oldType = kept.type();
                oldEngine = kept.engine();
                oldVersion = kept.version();
                where = "the data kept in " + names(claims);
            }
            String key = layerKey(id);
            if (!oldType.equals(db.type())) {
                refuse(db, key + ".type", "app " + id.app() + ": " + where + " holds " + title(oldType) + " data; changing layer "
                        + id.layer() + " to type " + db.type() + " would hand it to " + c.title() + ", which cannot read it."
                        + " Keep type: " + oldType + ", and add a " + db.type() + " layer under another name instead (move the"
                        + " data, switch the consumers, then remove " + id.layer() + ")");
                return DataCheck.NONE;
            }
            // Data written before dbstack recorded engines was written by the type's default engine.
            String wroteIt = oldEngine != null ? oldEngine : catalog.get(db.type()).engine();
            if (db.engine() != null && !db.engine().equals(wroteIt)) {
                String writer = catalog.find(db.type(), wroteIt).map(Component::title).orElse(wroteIt);
                refuse(db, key + ".engine", "app " + id.app() + ": " + where + " holds data written by " + writer + " (engine "
                        + wroteIt + "); changing layer " + id.layer() + " to engine " + db.engine() + " would hand it to "
                        + c.title() + ", which may not read it, or may change it so that " + writer + " cannot read it again."
                        + " Keep engine: "
                        + wroteIt + ", and add a layer with engine: " + db.engine() + " under another name instead; "
                        + VersionChange.migrationPath(c, id.layer(), db.version()));
                return DataCheck.NONE;
            }
            String note = "";
            if (oldVersion != null && !oldVersion.equals(db.version())) {
                VersionChange.Judgement j = VersionChange.judge(c, oldVersion, db.version());
                String flag = switch (j.verdict()) {
                    case NEEDS_MAJOR_UPGRADE_FLAG -> "--allow-major-upgrade";
                    case NEEDS_DOWNGRADE_FLAG -> "--allow-downgrade";
                    default -> null;
                };
                Set<String> allowedBy = j.verdict() == VersionChange.Verdict.NEEDS_MAJOR_UPGRADE_FLAG
                        ? options.allowMajorUpgrade() : options.allowDowngrade();
                if (j.verdict() == VersionChange.Verdict.REFUSED) {
                    refuse(db, key + ".version", "app " + id.app() + ": " + j.change() + " is refused: " + j.explanation()
                            + ". " + capitalize(VersionChange.migrationPath(c, id.layer(), db.version())));
                    return DataCheck.NONE;
                }
                if (flag != null && !Options.names(allowedBy, id)) {
                    refuse(db, key + ".version", "app " + id.app() + ": " + j.change() + ": " + j.explanation()
                            + ". To make this change, name the layer: " + flag + " " + id
                            + (j.verdict() == VersionChange.Verdict.NEEDS_MAJOR_UPGRADE_FLAG ? "" : "; otherwise "
                            + VersionChange.migrationPath(c, id.layer(), db.version())));
                    return DataCheck.NONE;
                }
                note = "; " + j.change() + (flag != null ? " (allowed by " + flag + ")" : "") + ": " + j.explanation()
                        + (j.after().isEmpty() ? "" : "; afterwards " + j.after());
            }
            String moved = sts != null ? dataLayoutChange(c, sts, want) : dataLayoutChange(c, oldVersion, db.version());
            if (moved != null) {
                refuse(db, key + ".version", "app " + id.app() + ": the data of " + id.layer() + " lives " + moved
                        + ": the server would not find it and would start an empty database. A change of where the data"
                        + " lives on an existing volume is never applied; " + VersionChange.migrationPath(c, id.layer(),
                        db.version()));
                return DataCheck.NONE;
            }
            if (kept == null) return new DataCheck(note, null);
            reattached.add(dataId);
            return new DataCheck("; takes over the data kept from " + kept.service() + " (" + kept.type() + " "
                    + kept.version() + ")" + note, new Step.Retention(Step.Retention.Kind.REATTACH, kept));
        }

        /**
         * Refuses a layer whose name holds another type's data that it would not take over, only leave
         * behind (a StatefulSet's claims and a serverless type's claim have different names): a type change
         * in place is refused for every pair of types, as one that would hand the data over is. True if refused.
         */
        boolean refuseOtherTypesData(RenderedService s, DatabaseLayer db) {
            ServiceId id = s.id();
            String ns = s.namespace();
            List<String[]> found = new ArrayList<>(); // {where, type}
            JsonNode sts = live.objects().get(new ObjectRef("apps/v1", "StatefulSet", ns, db.dataName()));
            if (sts != null) found.add(new String[] {"StatefulSet " + ns + "/" + db.dataName(),
                    sts.path("metadata").path("labels").path(Labels.TYPE).asText(db.type())});
            JsonNode claim = live.objects().get(new ObjectRef("v1", "PersistentVolumeClaim", ns,
                    dev.dbstack.render.Renderer.sharedClaimName(db.dataName())));
            if (claim != null && "database".equals(claim.path("metadata").path("labels").path("app.kubernetes.io/component").asText())) {
                found.add(new String[] {"PersistentVolumeClaim " + ns + "/" + claim.path("metadata").path("name").asText(),
                        claim.path("metadata").path("labels").path(Labels.TYPE).asText(db.type())});
            }
            Retained kept = known.retained().get(new ServiceId(id.app(), db.dataName()));
            if (kept != null && kept.namespace().equals(ns)) found.add(new String[] {"the data kept in " + (kept.claims().isEmpty()
                    ? "namespace " + ns : names(kept.claims().stream().map(n -> new ObjectRef("v1", "PersistentVolumeClaim", ns, n))
                    .toList())), kept.type()});
            for (String[] f : found) {
                if (f[1].equals(db.type())) continue;
                Component c = catalog.resolve(db.type(), db.engine(), db.version());
                refuse(db, layerKey(id) + ".type", "app " + id.app() + ": " + f[0] + " holds " + title(f[1]) + " data;"
                        + " changing layer " + id.layer() + " to type " + db.type() + " would leave it behind and start "
                        + c.title() + " empty. Keep type: " + f[1] + ", and add a " + db.type() + " layer under another name"
                        + " instead (move the data, switch the consumers, then remove " + id.layer() + ")");
                return true;
            }
            return false;
        }

        /**
         * A layer that was external (its live client Service says so) and now runs its own server would start an empty
         * database under the name the consumers used for the external one, whose data stays on that server: refused
         * unless {@code --start-empty} names it. True when refused.
         */
        private boolean refuseInPlaceOfExternal(RenderedService s, DatabaseLayer db) {
            JsonNode service = live.objects().get(new ObjectRef("v1", "Service", s.namespace(), db.name()));
            if (service == null || !Deployment.Type.EXTERNAL.toString().equals(
                    service.path("metadata").path("annotations").path(Labels.DEPLOYMENT).asText(""))) {
                return false;
            }
            ServiceId id = s.id();
            if (Options.names(options.startEmpty(), id)) return false;
            String was = service.path("spec").path("externalName").asText("");
            refuse(db, layerKey(id) + ".deployment", "app " + id.app() + ": layer " + id.layer() + " is an external database"
                    + (was.isEmpty() ? "" : " (" + was + ")") + " now; deployment: " + db.deployment().type() + " would start"
                    + " an empty " + db.type() + " database in its place, and its consumers would find none of the external"
                    + " server's data. Move the data first (dump from the external server, restore into a new layer under"
                    + " another name), or, if " + id.layer() + " is meant to start empty, run again with --start-empty " + id);
            return true;
        }

        /**
         * Where the data is, compared on the workload: the data volumes' mount paths and the variables
         * that point inside them ({@code PGDATA}). Null when nothing moves.
         */
        private static String dataLayoutChange(Component c, JsonNode live, JsonNode want) {
            JsonNode was = firstContainer(live);
            JsonNode is = firstContainer(want);
            List<String> diffs = new ArrayList<>();
            for (String volume : templates(want)) {
                String before = mountPath(was, volume);
                String after = mountPath(is, volume);
                if (before != null && !before.equals(after)) diffs.add("volume " + volume + " mounted at " + before + ", not " + after);
            }
            for (String name : layoutVariables(c)) {
                String before = env(was, name);
                String after = env(is, name);
                if (!Objects.equals(before, after)) diffs.add(name + "=" + (before == null ? "(unset)" : before) + ", not "
                        + (after == null ? "(unset)" : after));
            }
            return diffs.isEmpty() ? null : "where it was written (" + String.join("; ", diffs) + ")";
        }

        /** The same comparison from the catalog, for kept data with no workload to read. */
        private static String dataLayoutChange(Component c, String oldVersion, String newVersion) {
            if (oldVersion == null) return null;
            Component.Storage before = c.storageFor(oldVersion);
            Component.Storage after = c.storageFor(newVersion);
            if (before.mountPath().equals(after.mountPath()) && before.env().equals(after.env())) return null;
            return "where " + oldVersion + " wrote it (mounted at " + before.mountPath() + " " + before.env() + ", not at "
                    + after.mountPath() + " " + after.env() + ")";
        }

        /** Variables any version of the type uses to say where its data is inside the volume. */
        private static Set<String> layoutVariables(Component c) {
            Set<String> names = new TreeSet<>(c.storage().env().keySet());
            c.storageByFamily().values().forEach(s -> names.addAll(s.env().keySet()));
            return names;
        }

        // ---- removals ------------------------------------------------------------------------

        /**
         * Objects state recorded that are no longer wanted. A database's workload goes with its pods;
         * its claims and the Secrets with the credentials that open them stay, and state remembers
         * them, unless {@code --delete-data} names the service. Namespaces are never deleted: deleting
         * one deletes the claims in it.
         */
        void removals(List<Recorded> gone) {
            List<Recorded> ordered = gone.stream().filter(r -> live.objects().containsKey(r.ref()))
                    .sorted(Comparator.comparingInt((Recorded r) -> rank(r.ref().kind())).thenComparing(Recorded::ref)).toList();
            Set<ObjectRef> keptSecrets = new HashSet<>();
            List<Step> dataDeletes = new ArrayList<>();
            for (Recorded r : ordered) {
                String kind = r.ref().kind();
                if (kind.equals("Namespace")) {
                    steps.add(new Step(Action.KEEP, r.app(), null, r.ref(), "namespaces are never deleted: deleting one"
                            + " deletes every claim in it", List.of(), null, null, Step.Write.none(version(r.ref()))));
                    continue;
                }
                if (kind.equals("PersistentVolumeClaim") && isDatabaseData(r) && becameContainer(r)) {
                    refused.add(new Problem(model.layer(r.service()).source(), layerKey(r.service()) + ".type", "app "
                            + r.service().app() + ": layer " + r.service().layer() + " holds " + title(label(r, Labels.TYPE,
                            "unknown")) + " data; it cannot become a container. Keep type: " + label(r, Labels.TYPE, "unknown")
                            + ", and give the container another name"));
                    continue;
                }
                if (kind.equals("PersistentVolumeClaim") && isDatabaseData(r)) {
                    // The claim of a type without a server (SQLite) is its data: kept like a server's claims.
                    Retained data = new Retained(new ServiceId(r.app(), label(r, Labels.LAYER, r.ref().name())),
                            r.ref().namespace(), r.service(), label(r, Labels.TYPE, "unknown"), null, null, List.of(),
                            List.of(r.ref().name()));
                    if (Options.names(options.deleteData(), r.service()) || Options.names(options.deleteData(), data.data())) {
                        dataDeletes.add(new Step(Action.DELETE, r.app(), r.service(), r.ref(), removalReason()
                                + "; --delete-data: the data on it is deleted", List.of(), null,
                                new Step.Retention(Step.Retention.Kind.RELEASE, data), delete(r.ref())));
                    } else {
                        steps.add(new Step(Action.KEEP, r.app(), r.service(), r.ref(), removalReason() + ": the "
                                + title(data.type()) + " data on it is kept (--delete-data " + r.service() + " deletes it)",
                                List.of(), null, new Step.Retention(Step.Retention.Kind.KEEP, data),
                                Step.Write.none(version(r.ref()))));
                    }
                    continue;
                }
                if (kind.equals("PersistentVolumeClaim") && !Options.names(options.deleteData(), r.service())) {
                    refused.add(new Problem(SourceRef.UNKNOWN, r.ref().toString(), "removing layer " + r.service()
                            + " would delete its PersistentVolumeClaim and the data on it; to do that, run again with"
                            + " --delete-data " + r.service()));
                    continue;
                }
                if (kind.equals("Secret") && keptSecrets.contains(r.ref())) continue; // kept with the data it opens
                if (!kind.equals("StatefulSet")) {
                    steps.add(new Step(Action.DELETE, r.app(), r.service(), r.ref(), removalReason(), List.of(), null, null,
                            delete(r.ref())));
                    continue;
                }
                if (becameContainer(r)) {
                    refused.add(new Problem(model.layer(r.service()).source(), layerKey(r.service()) + ".type", "app "
                            + r.service().app() + ": layer " + r.service().layer() + " holds "
                            + title(typeOf(r)) + " data; it cannot become a container. Keep type: " + typeOf(r)
                            + ", and give the container another name"));
                    continue;
                }
                Retained data = retained(r);
                leaving.add(data);
                if (Options.names(options.deleteData(), r.service()) || Options.names(options.deleteData(), data.data())) {
                    steps.add(new Step(Action.DELETE, r.app(), r.service(), r.ref(), removalReason()
                            + "; --delete-data: its claims and credentials are deleted too", List.of(), null, null,
                            delete(r.ref())));
                    dataDeletes.addAll(claimDeletes(data, r.service()));
                } else {
                    data.secrets().forEach(name -> keptSecrets.add(new ObjectRef("v1", "Secret", data.namespace(), name)));
                    steps.add(new Step(Action.DELETE, r.app(), r.service(), r.ref(), removalReason()
                            + ": its pods are deleted, its data and credentials are kept", List.of(), null,
                            new Step.Retention(Step.Retention.Kind.KEEP, data), delete(r.ref())));
                }
            }
            steps.addAll(dataDeletes);
        }

        /** Data kept by earlier runs that {@code --delete-data} now names: its claims and Secrets go. */
        void releaseNamed() {
            for (Retained data : known.retained().values()) {
                if (reattached.contains(data.data())) continue;
                if (!Options.names(options.deleteData(), data.service()) && !Options.names(options.deleteData(), data.data())) continue;
                for (String secret : data.secrets()) {
                    ObjectRef ref = new ObjectRef("v1", "Secret", data.namespace(), secret);
                    if (live.objects().containsKey(ref)) {
                        steps.add(new Step(Action.DELETE, data.data().app(), data.service(), ref, "--delete-data: credentials"
                                + " of the deleted data", List.of(), null, null, delete(ref)));
                    }
                }
                steps.addAll(claimDeletes(data, data.service()));
            }
        }

        /** Deletes of the data's claims that still exist and no step deletes yet, the last one releasing it from state. */
        private List<Step> claimDeletes(Retained data, ServiceId service) {
            List<ObjectRef> claims = data.claims().stream()
                    .map(n -> new ObjectRef("v1", "PersistentVolumeClaim", data.namespace(), n))
                    .filter(live.objects()::containsKey)
                    .filter(ref -> steps.stream().noneMatch(st -> st.object().equals(ref))).toList();
            List<Step> out = new ArrayList<>();
            for (int i = 0; i < claims.size(); i++) {
                out.add(new Step(Action.DELETE, data.data().app(), service, claims.get(i), "--delete-data: the data on it"
                        + " is deleted", List.of(), null, i == claims.size() - 1
                        ? new Step.Retention(Step.Retention.Kind.RELEASE, data) : null, delete(claims.get(i))));
            }
            return out;
        }

        /**
         * A delete, planned against the live object's version: background propagation, said explicitly, so a
         * workload's pods go with it (never pods running on without an owner); claims made from a
         * StatefulSet's templates are not owned by it and stay.
         */
        private Step.Write delete(ObjectRef ref) {
            return Step.Write.delete(version(ref), DeletionPropagation.BACKGROUND);
        }

        private Retained retained(Recorded r) {
            JsonNode sts = live.objects().getOrDefault(r.ref(), r.lastApplied());
            List<ObjectRef> claims = live.claimsOf(r.ref().namespace(), r.ref().name(), templates(sts));
            Set<String> secrets = new LinkedHashSet<>();
            for (JsonNode env : firstContainer(sts).path("env")) {
                String secret = env.path("valueFrom").path("secretKeyRef").path("name").asText("");
                if (!secret.isEmpty()) secrets.add(secret);
            }
            return new Retained(new ServiceId(r.app(), r.ref().name()), r.ref().namespace(), r.service(), typeOf(r),
                    engineOf(sts), versionOf(sts), List.copyOf(secrets), claims.stream().map(ObjectRef::name).toList());
        }

        /** Whether the layer that owned {@code r} is a container layer now. */
        private boolean becameContainer(Recorded r) {
            return model != null && r.service() != null && model.apps().stream().anyMatch(a -> a.name().equals(r.service().app()))
                    && model.profileOf(model.app(r.service().app())).layer(r.service().layer())
                    .filter(l -> l instanceof ContainerLayer).isPresent();
        }

        /** A claim a database layer rendered itself (a type without a server), not a container's volume. */
        private boolean isDatabaseData(Recorded r) {
            return "database".equals(label(r, "app.kubernetes.io/component", ""));
        }

        private String label(Recorded r, String name, String otherwise) {
            JsonNode o = live.objects().getOrDefault(r.ref(), r.lastApplied());
            return o == null ? otherwise : o.path("metadata").path("labels").path(name).asText(otherwise);
        }

        private String typeOf(Recorded r) {
            JsonNode sts = live.objects().getOrDefault(r.ref(), r.lastApplied());
            return sts == null ? "unknown" : sts.path("metadata").path("labels").path(Labels.TYPE).asText("unknown");
        }

        private String removalReason() {
            return model == null ? "destroy" : "no longer in the stack's configuration";
        }

        // ---- empty databases where data stays behind -----------------------------------------

        /**
         * A new database of a type whose data this plan leaves behind, in the same app or under the same
         * layer name, is most likely a rename or a moved app: refuse it unless the user says it starts empty.
         */
        void refuseFreshWhereDataStaysBehind() {
            for (Fresh f : fresh) {
                ServiceId id = f.service().id();
                if (Options.names(options.startEmpty(), id)) continue;
                List<Retained> behind = leaving.stream().filter(l -> l.type().equals(f.layer().type())
                        && (l.data().app().equals(id.app()) || l.service() != null && l.service().layer().equals(id.layer())))
                        .toList();
                if (!behind.isEmpty()) {
                    Retained l = behind.get(0);
                    boolean sameNamespace = l.namespace().equals(f.service().namespace());
                    String stays = "the data of StatefulSet " + l.namespace() + "/" + l.data().layer() + " (layer " + l.service()
                            + ") stays behind in " + (l.claims().isEmpty() ? "namespace " + l.namespace()
                            : names(l.claims().stream().map(n -> new ObjectRef("v1", "PersistentVolumeClaim", l.namespace(), n))
                            .toList()));
                    refuse(f.layer(), layerKey(id), "app " + id.app() + ": layer " + id.layer() + " would start an empty "
                            + f.layer().type() + " database while " + stays + ". " + (sameNamespace
                            ? "If " + id.layer() + " is " + l.data().layer() + " renamed, add `renamedFrom: " + l.data().layer()
                            + "` to it: it keeps that data, its credentials and its StatefulSet"
                            : "Data does not move between namespaces: keep the app in namespace " + l.namespace()
                            + " (set virtualCluster: " + l.namespace() + "; it defaults to the app's name)")
                            + ". If " + id.layer() + " is meant to start empty, run again with --start-empty " + id
                            + " (the old data stays in its claims)");
                    continue;
                }
                known.retained().values().stream()
                        .filter(k -> k.type().equals(f.layer().type()) && k.namespace().equals(f.service().namespace())
                                && !reattached.contains(k.data()))
                        .findFirst().ifPresent(k -> warnings.add("layer " + id + " starts empty; the data kept from removed"
                                + " layer " + k.service() + " (" + k.type() + " " + k.version() + ") stays unused: to use it"
                                + " instead, add `renamedFrom: " + k.data().layer() + "` to " + id.layer()));
            }
        }

        /** A flag that names no layer would silently allow nothing. */
        void refuseUnknownNames(Set<ServiceId> services) {
            Map<String, Set<String>> flags = new java.util.LinkedHashMap<>();
            flags.put("--allow-major-upgrade", options.allowMajorUpgrade());
            flags.put("--allow-downgrade", options.allowDowngrade());
            flags.put("--start-empty", options.startEmpty());
            flags.forEach((flag, names) -> {
                for (String name : new TreeSet<>(names)) {
                    if (services.stream().noneMatch(id -> id.toString().equals(name) || id.layer().equals(name))) {
                        refused.add(new Problem(SourceRef.UNKNOWN, flag, "'" + name + "' names no layer of this stack (layers: "
                                + String.join(", ", services.stream().map(ServiceId::toString).sorted().toList()) + ")"));
                    }
                }
            });
        }

        // ---- helpers -------------------------------------------------------------------------

        /**
         * A setting the server reads only when it initialises its data (the database it creates, its first
         * user) cannot change afterwards: the server would keep the old one, and the outputs would send the
         * consumers to a database or user that does not exist, or to a new empty file. Compared with what
         * the live data object was created with ({@link Labels#INIT_SETTINGS}).
         */
        private void refuseInitOnlyChanges(RenderedService s, DatabaseLayer db) {
            for (HasMetadata o : s.objects()) {
                String wanted = o.getMetadata().getAnnotations() == null ? null
                        : o.getMetadata().getAnnotations().get(Labels.INIT_SETTINGS);
                JsonNode current = live.objects().get(ObjectRef.of(o));
                if (wanted == null || current == null) continue;
                String was = current.path("metadata").path("annotations").path(Labels.INIT_SETTINGS).asText("");
                if (was.isEmpty()) continue; // created before dbstack recorded them
                // another type's or engine's data is refused as such, not setting by setting
                if (!db.type().equals(current.path("metadata").path("labels").path(Labels.TYPE).asText(db.type()))
                        || !Objects.equals(db.engine(), engineOf(current) == null ? db.engine() : engineOf(current))) continue;
                JsonNode before;
                JsonNode after;
                try {
                    before = INIT_JSON.readTree(was);
                    after = INIT_JSON.readTree(wanted);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    continue; // not written by dbstack: nothing to compare
                }
                Component c = catalog.resolve(db.type(), db.engine(), db.version());
                for (Iterator<String> it = after.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    JsonNode old = before.get(name);
                    if (old == null || old.asText().equals(after.get(name).asText())) continue;
                    refuse(db, layerKey(s.id()) + "." + name, "app " + s.id().app() + ": " + c.title() + " read " + name + " '"
                            + old.asText() + "' when it created the data of layer " + s.id().layer() + ", and reads it only"
                            + " then: it would keep '" + old.asText() + "' while the outputs sent the consumers to '"
                            + after.get(name).asText() + "', which does not exist. Keep " + name + ": " + old.asText()
                            + "; to use another, create it in the server first (or add a new layer) and point the"
                            + " consumers at it");
                }
            }
        }

        private void refuse(DatabaseLayer layer, String key, String message) {
            refused.add(new Problem(layer.source(), key, message));
        }

        private String layerKey(ServiceId id) {
            return "config.dbstack:profiles[" + model.profileOf(model.app(id.app())).name() + "].layers[" + id.layer() + "]";
        }

        private String title(String type) {
            return catalog.find(type).map(Component::title).orElse(type);
        }

        /** EXPAND_VOLUME when every template only grew and may grow; false (with a refusal) otherwise. */
        private boolean volumeChange(StatefulSet sts, JsonNode current, ObjectRef ref) {
            StatefulSet was = SERIALIZATION.convertValue(current, StatefulSet.class);
            for (PersistentVolumeClaim want : sts.getSpec().getVolumeClaimTemplates()) {
                PersistentVolumeClaim had = was.getSpec().getVolumeClaimTemplates().stream()
                        .filter(t -> t.getMetadata().getName().equals(want.getMetadata().getName())).findFirst().orElse(null);
                if (had == null) {
                    refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "a new volume template cannot be added to"
                            + " an existing StatefulSet's pods"));
                    return false;
                }
                List<String> other = ManagedDiff.changedPaths(SERIALIZATION.convertValue(want, JsonNode.class),
                        SERIALIZATION.convertValue(had, JsonNode.class)).stream()
                        .filter(p -> !p.equals("spec.resources.requests.storage")).toList();
                if (!other.isEmpty()) {
                    refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "volume template '" + want.getMetadata().getName()
                            + "' changed in " + String.join(", ", other) + ": existing claims cannot change that; only storage"
                            + " can grow. Create a new service and migrate the data"));
                    return false;
                }
                BigDecimal before = bytes(had);
                BigDecimal after = bytes(want);
                if (after.compareTo(before) < 0) {
                    refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "storage cannot shrink (" + size(had) + " → "
                            + size(want) + "): Kubernetes volumes only grow; to shrink, create a new service and migrate"));
                    return false;
                }
                String sc = want.getSpec().getStorageClassName() != null ? want.getSpec().getStorageClassName()
                        : live.defaultStorageClass();
                if (after.compareTo(before) > 0 && (sc == null || !live.expandableStorageClasses().contains(sc))) {
                    refused.add(new Problem(SourceRef.UNKNOWN, ref.toString(), "storage cannot grow: StorageClass '" + sc
                            + "' does not allow volume expansion (allowVolumeExpansion: true)"));
                    return false;
                }
            }
            return true;
        }
    }

    /** The engine a StatefulSet runs, as dbstack annotated it; null when it did not (a type without engines). */
    static String engineOf(JsonNode sts) {
        String engine = sts == null ? "" : sts.path("metadata").path("annotations").path(Labels.ENGINE).asText("");
        return engine.isEmpty() ? null : engine;
    }

    /** The database version a StatefulSet runs: what dbstack annotated, else its image's tag. */
    static String versionOf(JsonNode sts) {
        if (sts == null) return null;
        String annotated = sts.path("metadata").path("annotations").path(Labels.VERSION).asText("");
        if (!annotated.isEmpty()) return annotated;
        String image = firstContainer(sts).path("image").asText("");
        int colon = image.lastIndexOf(':');
        if (image.contains("@") || colon < 0 || colon < image.lastIndexOf('/')) return null;
        String tag = image.substring(colon + 1);
        return tag.matches("\\d+(\\.\\d+)*") ? tag : null;
    }

    private static JsonNode firstContainer(JsonNode sts) {
        return sts == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                : sts.path("spec").path("template").path("spec").path("containers").path(0);
    }

    private static List<String> templates(JsonNode sts) {
        List<String> names = new ArrayList<>();
        for (JsonNode t : sts.path("spec").path("volumeClaimTemplates")) names.add(t.path("metadata").path("name").asText());
        return names;
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (volume.equals(m.path("name").asText())) return m.path("mountPath").asText(null);
        }
        return null;
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) return e.path("value").asText(null);
        }
        return null;
    }

    private static String names(List<ObjectRef> refs) {
        return (refs.size() == 1 ? "" : refs.size() + " ") + "PersistentVolumeClaim" + (refs.size() == 1 ? " " : "s ")
                + String.join(", ", refs.stream().map(r -> r.namespace() + "/" + r.name()).toList());
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static int rank(String kind) {
        int i = DELETE_ORDER.indexOf(kind);
        return i < 0 ? DELETE_ORDER.size() : i;
    }

    private static BigDecimal bytes(PersistentVolumeClaim c) {
        return Quantity.getAmountInBytes(c.getSpec().getResources().getRequests().get("storage"));
    }

    private static String size(PersistentVolumeClaim c) {
        return c.getSpec().getResources().getRequests().get("storage").toString();
    }

    /** What state may hold of an object: a Secret's values are never recorded. */
    /** An applied object whose live fields differ from what was applied: {@code fields} name them. */
    public record Drift(ObjectRef ref, List<String> fields) {}

    /** Recorded objects the cluster no longer has. */
    public static List<ObjectRef> gone(Known known, Map<ObjectRef, JsonNode> live) {
        return known.objects().keySet().stream().filter(ref -> !live.containsKey(ref)).toList();
    }

    /** Recorded objects whose live fields drifted from what was applied (Secret values are not compared). */
    public static List<Drift> drift(Known known, Map<ObjectRef, JsonNode> live) {
        List<Drift> out = new ArrayList<>();
        for (Recorded r : known.objects().values()) {
            JsonNode current = live.get(r.ref());
            if (current == null || r.lastApplied() == null) continue;
            List<String> fields = ManagedDiff.changedPaths(r.lastApplied(), withoutSecretData(current));
            if (!fields.isEmpty()) out.add(new Drift(r.ref(), fields));
        }
        return out;
    }

    public static JsonNode withoutSecretData(JsonNode object) {
        if (!"Secret".equals(object.path("kind").asText())) return object;
        com.fasterxml.jackson.databind.node.ObjectNode copy = object.deepCopy();
        copy.remove("data");
        copy.remove("stringData");
        return copy;
    }
}
