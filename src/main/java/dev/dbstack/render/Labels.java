package dev.dbstack.render;

import dev.dbstack.model.ServiceId;
import java.util.Map;
import java.util.TreeMap;

/** The labels dbstack puts on everything it creates; sorted maps keep renders byte-identical. */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "dbstack";
    public static final String STACK = "dbstack.dev/stack";
    public static final String APP = "dbstack.dev/app";
    public static final String LAYER = "dbstack.dev/layer";
    public static final String TYPE = "dbstack.dev/type";
    public static final String PROFILE = "dbstack.dev/profile";
    public static final String VERSION = "dbstack.dev/version";
    /**
     * Annotation on a database's data object (StatefulSet, or the claim of a type without a server): the
     * values of its {@code initOnly} settings as a JSON object, so a plan sees what the data was created with.
     */
    public static final String INIT_SETTINGS = "dbstack.dev/init-settings";
    /** Annotation on a database's StatefulSet: the engine of a type with engines (MySQL, Percona Server, MariaDB). */
    public static final String ENGINE = "dbstack.dev/engine";
    /** The label the StatefulSet controller puts on each of its pods: its name, so a Service can select one pod. */
    public static final String POD_NAME = "statefulset.kubernetes.io/pod-name";
    /** On an external database's client Service: {@code external}, so a later plan knows no data of it lives here. */
    public static final String DEPLOYMENT = "dbstack.dev/deployment";
    /**
     * Annotation on a database's StatefulSet: its component's {@code readiness} conditions as a JSON
     * list, so that apply reads them from the plan's object (absent when the component declares none).
     */
    public static final String READY_WHEN = "dbstack.dev/ready-when";

    /**
     * Annotation on a database's StatefulSet and its ConfigMap {@code <layer>-config}: the layer's {@code parameters}
     * as a JSON object in name order (absent without parameters), so a plan names the parameters that changed.
     */
    public static final String PARAMETERS = "dbstack.dev/parameters";
    /**
     * Annotation on a database's pod template: the SHA-256 of its rendered parameters (file or flags), so a changed
     * parameter changes the template and rolls the pods, also for a file mounted from a ConfigMap.
     */
    public static final String CONFIG_CHECKSUM = "dbstack.dev/config-checksum";

    private Labels() {}

    /** Selector labels: only what never changes for the life of a service (selectors are immutable). */
    public static Map<String, String> selector(ServiceId id) {
        Map<String, String> m = new TreeMap<>();
        m.put(APP, id.app());
        m.put(LAYER, id.layer());
        return m;
    }

    public static Map<String, String> service(String stack, ServiceId id, String type, String component) {
        Map<String, String> m = new TreeMap<>(selector(id));
        m.put("app.kubernetes.io/name", type);
        m.put("app.kubernetes.io/instance", id.layer());
        m.put("app.kubernetes.io/part-of", id.app());
        m.put("app.kubernetes.io/component", component);
        m.put(MANAGED_BY, MANAGER);
        m.put(STACK, stack);
        m.put(TYPE, type);
        return m;
    }

    public static Map<String, String> app(String stack, String app) {
        Map<String, String> m = new TreeMap<>();
        m.put(APP, app);
        m.put(MANAGED_BY, MANAGER);
        m.put(STACK, stack);
        return m;
    }
}
