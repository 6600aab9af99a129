package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.VirtualClusterLimits;
import dev.dbstack.render.Labels;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.VirtualCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The storage check: before anything is applied, each app's claims and its pods' CPU and memory requests
 * are added up as the ResourceQuota will count them, and an app that does not fit its virtual cluster is
 * refused, naming the numbers and the layers. Usage equal to the limit fits (the quota admits up to it).
 */
final class VirtualClusterCheck {
    private static final BigDecimal GI = BigDecimal.valueOf(1L << 30);
    private static final BigDecimal MI = BigDecimal.valueOf(1L << 20);

    private VirtualClusterCheck() {}

    /** What one layer (or the kept claims of one removed layer) adds to its app's usage. */
    private static final class Usage {
        final List<String> claims = new ArrayList<>();
        BigDecimal storage = BigDecimal.ZERO;
        BigDecimal cpu = BigDecimal.ZERO;
        BigDecimal memory = BigDecimal.ZERO;
        String cpuHow = "";
        String memoryHow = "";
    }

    /**
     * @param deleted the claims this plan deletes (--delete-data): they no longer count
     */
    static List<Problem> check(StackModel model, RenderedStack desired, Planner.Live live, Set<ObjectRef> deleted) {
        List<Problem> out = new ArrayList<>();
        for (AppDeployment app : model.apps()) {
            Map<String, Usage> layers = new LinkedHashMap<>();
            Map<String, BigDecimal> counted = new TreeMap<>(); // claim name → size the quota charges
            for (ServiceId id : desired.graph().applyOrder()) {
                if (!id.app().equals(app.name())) continue;
                Usage u = layers.computeIfAbsent(id.layer(), k -> new Usage());
                add(app, desired.service(id), u, live, counted);
            }
            // Claims the namespace already holds that no layer renders: kept data of removed layers, scaled-down
            // ordinals. They still count against the quota until deleted.
            for (Map.Entry<ObjectRef, JsonNode> e : live.objects().entrySet()) {
                ObjectRef ref = e.getKey();
                if (!ref.kind().equals("PersistentVolumeClaim") || !ref.namespace().equals(app.namespace())
                        || counted.containsKey(ref.name()) || deleted.contains(ref)) continue;
                String layer = e.getValue().path("metadata").path("labels").path(Labels.LAYER).asText("");
                Usage u = layers.computeIfAbsent(layers.containsKey(layer) ? layer
                        : "kept claims of removed layer " + (layer.isEmpty() ? "?" : layer), k -> new Usage());
                BigDecimal size = liveSize(e.getValue());
                counted.put(ref.name(), size);
                u.storage = u.storage.add(size);
                u.claims.add(ref.name() + " " + bytes(size));
            }
            check(app, layers, out);
        }
        return out;
    }

    private static void add(AppDeployment app, RenderedService s, Usage u, Planner.Live live, Map<String, BigDecimal> counted) {
        for (HasMetadata o : s.objects()) {
            if (o instanceof StatefulSet sts) {
                int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
                pods(app, sts.getSpec().getTemplate().getSpec(), replicas, u);
                for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
                    String template = t.getMetadata().getName();
                    BigDecimal want = Quantity.getAmountInBytes(t.getSpec().getResources().getRequests().get("storage"));
                    BigDecimal sum = BigDecimal.ZERO;
                    int n = 0;
                    // The desired ordinals, and any further live ones (scaled down: their claims stay and count).
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i < replicas; i++) names.add(template + "-" + sts.getMetadata().getName() + "-" + i);
                    for (ObjectRef c : live.claimsOf(app.namespace(), sts.getMetadata().getName(), List.of(template))) {
                        if (!names.contains(c.name())) names.add(c.name());
                    }
                    for (String name : names) {
                        JsonNode had = live.objects().get(new ObjectRef("v1", "PersistentVolumeClaim", app.namespace(), name));
                        boolean desiredOrdinal = names.indexOf(name) < replicas;
                        // A growing claim is charged at its new size; a claim never shrinks.
                        BigDecimal size = had == null ? want : desiredOrdinal ? liveSize(had).max(want) : liveSize(had);
                        counted.put(name, size);
                        sum = sum.add(size);
                        n++;
                    }
                    u.storage = u.storage.add(sum);
                    u.claims.add(n == 1 ? bytes(sum) : n + " claims " + template + " × " + bytes(want) + (sum.compareTo(
                            want.multiply(BigDecimal.valueOf(n))) == 0 ? "" : " (" + bytes(sum) + " as they stand)"));
                }
            } else if (o instanceof Deployment d) {
                pods(app, d.getSpec().getTemplate().getSpec(), d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(), u);
            } else if (o instanceof PersistentVolumeClaim c) {
                BigDecimal want = Quantity.getAmountInBytes(c.getSpec().getResources().getRequests().get("storage"));
                JsonNode had = live.objects().get(ObjectRef.of(c));
                BigDecimal size = had == null ? want : liveSize(had).max(want);
                counted.put(c.getMetadata().getName(), size);
                u.storage = u.storage.add(size);
                u.claims.add(c.getMetadata().getName() + " " + bytes(size));
            }
        }
    }

    /** A pod's requests as Kubernetes computes them: the larger of its containers' sum and its largest init container. */
    private static void pods(AppDeployment app, PodSpec pod, int replicas, Usage u) {
        BigDecimal cpu = request(app, pod, "cpu");
        BigDecimal memory = request(app, pod, "memory");
        BigDecimal n = BigDecimal.valueOf(replicas);
        u.cpu = u.cpu.add(cpu.multiply(n));
        u.memory = u.memory.add(memory.multiply(n));
        u.cpuHow = join(u.cpuHow, replicas + " × " + cores(cpu));
        u.memoryHow = join(u.memoryHow, replicas + " × " + bytes(memory));
    }

    private static BigDecimal request(AppDeployment app, PodSpec pod, String resource) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container c : pod.getContainers()) sum = sum.add(request(app, c, resource));
        BigDecimal init = BigDecimal.ZERO;
        for (Container c : pod.getInitContainers()) init = init.max(request(app, c, resource));
        return sum.max(init);
    }

    /** The container's request; without one its limit (the API server copies it), else the LimitRange's default. */
    private static BigDecimal request(AppDeployment app, Container c, String resource) {
        Quantity q = null;
        if (c.getResources() != null) {
            if (c.getResources().getRequests() != null) q = c.getResources().getRequests().get(resource);
            if (q == null && c.getResources().getLimits() != null) q = c.getResources().getLimits().get(resource);
        }
        return Quantity.getAmountInBytes(q != null ? q : new Quantity(VirtualCluster.defaultRequest(app, resource)));
    }

    private static void check(AppDeployment app, Map<String, Usage> layers, List<Problem> out) {
        VirtualClusterLimits l = app.limits();
        BigDecimal storage = BigDecimal.ZERO;
        BigDecimal cpu = BigDecimal.ZERO;
        BigDecimal memory = BigDecimal.ZERO;
        for (Usage u : layers.values()) {
            storage = storage.add(u.storage);
            cpu = cpu.add(u.cpu);
            memory = memory.add(u.memory);
        }
        List<String> over = new ArrayList<>();
        BigDecimal storageLimit = amount(l.storage());
        if (storage.compareTo(storageLimit) > 0) {
            over.add("storage: its claims add up to " + bytes(storage) + ", more than " + l.storage() + " ("
                    + breakdown(layers, u -> u.storage.signum() == 0 ? null : String.join(" + ", u.claims)) + ")");
        }
        if (cpu.compareTo(amount(l.cpu())) > 0) {
            over.add("cpu: its pods request " + cores(cpu) + ", more than " + l.cpu() + " ("
                    + breakdown(layers, u -> u.cpu.signum() == 0 ? null : u.cpuHow) + ")");
        }
        if (memory.compareTo(amount(l.memory())) > 0) {
            over.add("memory: its pods request " + bytes(memory) + ", more than " + l.memory() + " ("
                    + breakdown(layers, u -> u.memory.signum() == 0 ? null : u.memoryHow) + ")");
        }
        if (over.isEmpty()) return;
        out.add(new Problem(l.source(), l.key(), "app " + app.name() + " does not fit its virtual cluster (namespace "
                + app.namespace() + "): " + String.join("; ", over) + ". Raise the limits (" + l.key()
                + (l.key().endsWith(".limits") ? ", within its cluster group's virtualClusters" : "")
                + "), or ask the layers for less; nothing was applied"));
    }

    private static String breakdown(Map<String, Usage> layers, java.util.function.Function<Usage, String> what) {
        List<String> parts = new ArrayList<>();
        layers.forEach((layer, u) -> {
            String w = what.apply(u);
            if (w != null) parts.add(layer + ": " + w);
        });
        return String.join("; ", parts);
    }

    /** What the quota charges for a live claim: the larger of what it asks for and what it was given. */
    private static BigDecimal liveSize(JsonNode claim) {
        BigDecimal asked = amountOrZero(claim.path("spec").path("resources").path("requests").path("storage").asText(""));
        BigDecimal allocated = amountOrZero(claim.path("status").path("allocatedResources").path("storage").asText(""));
        return asked.max(allocated);
    }

    private static BigDecimal amountOrZero(String text) {
        if (text.isEmpty()) return BigDecimal.ZERO;
        try {
            return amount(text);
        } catch (RuntimeException e) {
            return BigDecimal.ZERO;
        }
    }

    private static BigDecimal amount(String quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity));
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + " + " + b;
    }

    /** Bytes as Gi or Mi when whole, else plain bytes. */
    static String bytes(BigDecimal b) {
        if (b.signum() == 0) return "0";
        if (b.remainder(GI).signum() == 0) return b.divide(GI).toBigInteger() + "Gi";
        if (b.remainder(MI).signum() == 0) return b.divide(MI).toBigInteger() + "Mi";
        return b.setScale(0, RoundingMode.UP).toPlainString();
    }

    /** Cores as whole cores or millicores. */
    static String cores(BigDecimal c) {
        BigDecimal stripped = c.stripTrailingZeros();
        if (stripped.scale() <= 0) return stripped.toPlainString();
        return c.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.UP).toPlainString() + "m";
    }
}
