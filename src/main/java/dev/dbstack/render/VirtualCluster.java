package dev.dbstack.render;

import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.VirtualClusterLimits;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/** An app deployment's virtual cluster: the quota and the container defaults of its namespace. */
public final class VirtualCluster {
    /** The name of both objects in each app namespace. */
    public static final String NAME = "dbstack-virtual-cluster";
    /** What a container that asks for nothing is given as request: small, so it fits beside the databases. */
    static final String DEFAULT_REQUEST_CPU = "100m";
    static final String DEFAULT_REQUEST_MEMORY = "128Mi";
    private static final BigDecimal GI = BigDecimal.valueOf(1L << 30);

    private VirtualCluster() {}

    /** Requests (not limits) are what the quota counts, as Palette sizes a virtual cluster by requests. */
    public static ResourceQuota quota(String stack, AppDeployment app) {
        VirtualClusterLimits l = app.limits();
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("requests.cpu", new Quantity(l.cpu()));
        hard.put("requests.memory", new Quantity(l.memory()));
        hard.put("requests.storage", new Quantity(l.storage()));
        hard.put("persistentvolumeclaims", new Quantity(Long.toString(maxClaims(l.storage()))));
        return new ResourceQuotaBuilder()
                .withNewMetadata().withName(NAME).withNamespace(app.namespace()).withLabels(Labels.app(stack, app.name()))
                .endMetadata()
                .withNewSpec().withHard(hard).endSpec()
                .build();
    }

    /**
     * With a quota on requests the API server rejects pods whose containers (init containers included) name
     * none, so every container gets a default request. The default limit is set too: left out, the API server
     * would fill it in (from max) and the live object would differ from this one. It is the whole virtual
     * cluster, so it never falls below a request a layer sets explicitly (which would make the pod invalid).
     */
    public static LimitRange limitRange(String stack, AppDeployment app) {
        VirtualClusterLimits l = app.limits();
        return new LimitRangeBuilder()
                .withNewMetadata().withName(NAME).withNamespace(app.namespace()).withLabels(Labels.app(stack, app.name()))
                .endMetadata()
                .withNewSpec().addNewLimit().withType("Container")
                .withDefaultRequest(new TreeMap<>(Map.of("cpu", new Quantity(smaller(DEFAULT_REQUEST_CPU, l.cpu())),
                        "memory", new Quantity(smaller(DEFAULT_REQUEST_MEMORY, l.memory())))))
                .withDefault(new TreeMap<>(Map.of("cpu", new Quantity(l.cpu()), "memory", new Quantity(l.memory()))))
                .endLimit().endSpec()
                .build();
    }

    /** The default request a container without one gets in {@code app}'s namespace, by resource. */
    public static String defaultRequest(AppDeployment app, String resource) {
        return resource.equals("cpu") ? smaller(DEFAULT_REQUEST_CPU, app.limits().cpu())
                : smaller(DEFAULT_REQUEST_MEMORY, app.limits().memory());
    }

    /** Every claim dbstack makes is at least 1Gi, so the storage limit also bounds how many there can be. */
    static long maxClaims(String storage) {
        BigDecimal gib = Quantity.getAmountInBytes(new Quantity(storage)).divide(GI, 0, RoundingMode.DOWN);
        return Math.max(1, gib.min(BigDecimal.valueOf(Integer.MAX_VALUE)).longValue());
    }

    private static String smaller(String a, String b) {
        return Quantity.getAmountInBytes(new Quantity(a)).compareTo(Quantity.getAmountInBytes(new Quantity(b))) <= 0 ? a : b;
    }
}
