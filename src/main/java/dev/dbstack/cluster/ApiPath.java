package dev.dbstack.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes REST path taken apart, e.g. {@code /apis/apps/v1/namespaces/shop/statefulsets/db/status}:
 * group {@code apps} (empty for the core API), version, namespace (null when the path names none),
 * resource, name (null for a collection) and subresource (null, or e.g. {@code status}).
 */
record ApiPath(String group, String version, String namespace, String resource, String name, String subresource) {

    /** The path taken apart, or null when it names no resource (discovery, {@code /version}, anything else). */
    static ApiPath parse(String path) {
        List<String> s = new ArrayList<>();
        for (String part : path.split("/")) if (!part.isEmpty()) s.add(part);
        int rest;
        String group;
        if (s.size() >= 3 && s.get(0).equals("api")) {
            group = "";
            rest = 2;
        } else if (s.size() >= 4 && s.get(0).equals("apis")) {
            group = s.get(1);
            rest = 3;
        } else {
            return null;
        }
        String version = s.get(rest - 1);
        List<String> r = s.subList(rest, s.size());
        // namespaces/<ns>/<resource>[/<name>[/<sub>]], except the Namespace object itself: namespaces/<name>[/status]
        if (r.size() >= 3 && r.get(0).equals("namespaces") && !(r.size() == 3 && isSubresource(r.get(2)))) {
            return r.size() > 5 ? null : new ApiPath(group, version, r.get(1), r.get(2), at(r, 3), at(r, 4));
        }
        return r.size() > 3 ? null : new ApiPath(group, version, null, r.get(0), at(r, 1), at(r, 2));
    }

    private static boolean isSubresource(String s) {
        return s.equals("status") || s.equals("finalize");
    }

    private static String at(List<String> list, int i) {
        return i < list.size() ? list.get(i) : null;
    }

    /** The store's key of this path's resource type: {@code apps/statefulsets}, {@code /pods} for the core group. */
    String type() {
        return group + "/" + resource;
    }

    /** How the API server names the resource in its messages: {@code statefulsets.apps}, {@code pods}. */
    String qualifiedResource() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The {@code status} subresource of the object this path names. */
    ApiPath status() {
        return new ApiPath(group, version, namespace, resource, name, "status");
    }

    /** This path with {@code name} as the object's name (a create posts to the collection). */
    ApiPath named(String objectName) {
        return new ApiPath(group, version, namespace, resource, objectName, null);
    }
}
