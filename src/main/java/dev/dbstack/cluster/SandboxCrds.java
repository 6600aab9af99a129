package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Custom resources in the sandbox, generically: the {@code apiextensions.k8s.io/v1}
 * CustomResourceDefinitions stored like any other object (type {@value #TYPE}, cluster-scoped) say
 * which kinds a group serves, under which plural, in which versions and scope, and whether status is
 * a subresource. A custom resource is stored under {@code <group>/<plural>} like a built-in kind.
 *
 * <p>A group that is not one of Kubernetes' own (no dot, or ending in {@code .k8s.io}) is served
 * only through its CRDs, like a real API server: a kind whose CRD is not installed is 404. Built-in
 * groups keep the sandbox's lenient behaviour (any resource of theirs is stored).
 *
 * <p>Everything here reads the store and is called under its lock.
 */
final class SandboxCrds {
    static final String GROUP = "apiextensions.k8s.io";
    static final String TYPE = GROUP + "/customresourcedefinitions";

    /** One served kind: a CRD's names, scope, versions and status subresource. */
    record Definition(String group, String plural, String singular, String kind, String listKind, boolean namespaced,
                      List<String> versions, List<String> statusVersions, List<String> shortNames, String storageVersion) {
        String type() {
            return group + "/" + plural;
        }

        boolean serves(String version) {
            return versions.contains(version);
        }

        boolean hasStatus(String version) {
            return statusVersions.contains(version);
        }
    }

    private final SandboxObjects objects;

    SandboxCrds(SandboxObjects objects) {
        this.objects = objects;
    }

    /** Kubernetes' own groups: the core group, {@code apps}, {@code batch}, … and {@code *.k8s.io}. */
    static boolean builtIn(String group) {
        return group.isEmpty() || !group.contains(".") || group.endsWith(".k8s.io");
    }

    /** Every installed definition. */
    List<Definition> all() {
        List<Definition> all = new ArrayList<>();
        for (ObjectNode crd : objects.list(TYPE, null)) {
            Definition d = definition(crd);
            if (d != null) all.add(d);
        }
        return all;
    }

    /** The definition serving {@code group/resource}, or null. */
    Definition byResource(String group, String resource) {
        for (Definition d : all()) if (d.group().equals(group) && d.plural().equals(resource)) return d;
        return null;
    }

    /** The definition of {@code kind} in {@code group}, or null. */
    Definition byKind(String group, String kind) {
        for (Definition d : all()) if (d.group().equals(group) && d.kind().equals(kind)) return d;
        return null;
    }

    /** The openAPIV3Schema of {@code group/resource} in {@code version}, or null (no CRD, or none given). */
    JsonNode schema(String group, String resource, String version) {
        for (ObjectNode crd : objects.list(TYPE, null)) {
            JsonNode spec = crd.path("spec");
            if (!spec.path("group").asText().equals(group) || !spec.path("names").path("plural").asText().equals(resource)) continue;
            for (JsonNode v : spec.path("versions")) {
                if (v.path("name").asText().equals(version)) {
                    JsonNode schema = v.path("schema").path("openAPIV3Schema");
                    return schema.isObject() ? schema : null;
                }
            }
        }
        return null;
    }

    /** The groups CRDs serve, each with its versions in order (the first is the preferred one). */
    Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Definition d : all()) {
            List<String> versions = groups.computeIfAbsent(d.group(), g -> new ArrayList<>());
            for (String v : d.versions()) if (!versions.contains(v)) versions.add(v);
        }
        return groups;
    }

    static Definition definition(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        String group = spec.path("group").asText("");
        String plural = names.path("plural").asText("");
        String kind = names.path("kind").asText("");
        if (group.isEmpty() || plural.isEmpty() || kind.isEmpty()) return null;
        List<String> versions = new ArrayList<>();
        List<String> status = new ArrayList<>();
        String storage = null;
        for (JsonNode v : spec.path("versions")) {
            String name = v.path("name").asText();
            if (!v.path("served").asBoolean(true)) continue;
            versions.add(name);
            if (v.path("subresources").has("status")) status.add(name);
            if (v.path("storage").asBoolean(false)) storage = name;
        }
        List<String> shortNames = new ArrayList<>();
        names.path("shortNames").forEach(s -> shortNames.add(s.asText()));
        return new Definition(group, plural, names.path("singular").asText(kind.toLowerCase(java.util.Locale.ROOT)), kind,
                names.path("listKind").asText(kind + "List"), !"Cluster".equals(spec.path("scope").asText("Namespaced")),
                versions, status, shortNames, storage == null && !versions.isEmpty() ? versions.get(0) : storage);
    }

    /** Why a CRD cannot be stored, as the API server says it, or null. */
    static String invalid(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        String name = crd.path("metadata").path("name").asText("");
        String group = spec.path("group").asText("");
        String plural = spec.path("names").path("plural").asText("");
        List<String> problems = new ArrayList<>();
        if (group.isEmpty()) problems.add("spec.group: Required value");
        if (plural.isEmpty()) problems.add("spec.names.plural: Required value");
        if (spec.path("names").path("kind").asText("").isEmpty()) problems.add("spec.names.kind: Required value");
        String scope = spec.path("scope").asText("");
        if (!scope.equals("Namespaced") && !scope.equals("Cluster")) {
            problems.add("spec.scope: Unsupported value: \"" + scope + "\": supported values: \"Cluster\", \"Namespaced\"");
        }
        if (!spec.path("versions").isArray() || spec.path("versions").isEmpty()) problems.add("spec.versions: Invalid value: must have exactly one version marked as storage version");
        if (!group.isEmpty() && !plural.isEmpty() && !name.equals(plural + "." + group)) {
            problems.add("metadata.name: Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group");
        }
        return problems.isEmpty() ? null : "CustomResourceDefinition.apiextensions.k8s.io \"" + name + "\" is invalid: "
                + String.join(", ", problems);
    }

    /** The status the API server keeps on a CRD: its names accepted and the CRD established at once. */
    static ObjectNode status(JsonNode crd) {
        ObjectNode status = SandboxApi.JSON.createObjectNode();
        ArrayNode conditions = status.putArray("conditions");
        String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        for (String type : List.of("NamesAccepted", "Established")) {
            conditions.addObject().put("type", type).put("status", "True").put("lastTransitionTime", now)
                    .put("reason", type.equals("Established") ? "InitialNamesAccepted" : "NoConflicts")
                    .put("message", type.equals("Established") ? "the initial names have been accepted" : "no conflicts found");
        }
        status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
        Definition d = definition(crd);
        ArrayNode stored = status.putArray("storedVersions");
        if (d != null && d.storageVersion() != null) stored.add(d.storageVersion());
        return status;
    }

    // ---- discovery ----

    /** {@code /apis}: the groups CRDs serve, and apiextensions itself. */
    ObjectNode groupList() {
        ObjectNode list = SandboxApi.JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        groups.add(group(GROUP, List.of("v1")));
        groups().forEach((g, versions) -> groups.add(group(g, versions)));
        return list;
    }

    /** {@code /apis/<group>}, or null when no CRD serves it. */
    ObjectNode group(String group) {
        if (group.equals(GROUP)) return group(GROUP, List.of("v1"));
        List<String> versions = groups().get(group);
        return versions == null ? null : group(group, versions);
    }

    private static ObjectNode group(String name, List<String> versions) {
        ObjectNode g = SandboxApi.JSON.createObjectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) vs.addObject().put("groupVersion", name + "/" + v).put("version", v);
        g.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
        return g;
    }

    /** {@code /apis/<group>/<version>}: an APIResourceList, or null when nothing is served there. */
    ObjectNode resources(String group, String version) {
        ObjectNode list = SandboxApi.JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        if (group.equals(GROUP) && version.equals("v1")) {
            ObjectNode r = resource(resources, "customresourcedefinitions", "customresourcedefinition", false, "CustomResourceDefinition");
            r.putArray("shortNames").add("crd").add("crds");
            resources.addObject().put("name", "customresourcedefinitions/status").put("singularName", "").put("namespaced", false)
                    .put("kind", "CustomResourceDefinition").putArray("verbs").add("get").add("patch").add("update");
            return list;
        }
        for (Definition d : all()) {
            if (!d.group().equals(group) || !d.serves(version)) continue;
            ObjectNode r = resource(resources, d.plural(), d.singular(), d.namespaced(), d.kind());
            if (!d.shortNames().isEmpty()) {
                ArrayNode s = r.putArray("shortNames");
                d.shortNames().forEach(s::add);
            }
            if (d.hasStatus(version)) {
                resources.addObject().put("name", d.plural() + "/status").put("singularName", "").put("namespaced", d.namespaced())
                        .put("kind", d.kind()).putArray("verbs").add("get").add("patch").add("update");
            }
        }
        return resources.isEmpty() ? null : list;
    }

    private static ObjectNode resource(ArrayNode resources, String plural, String singular, boolean namespaced, String kind) {
        ObjectNode r = resources.addObject().put("name", plural).put("singularName", singular).put("namespaced", namespaced)
                .put("kind", kind);
        ArrayNode verbs = r.putArray("verbs");
        for (String v : List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")) verbs.add(v);
        return r;
    }
}
