package dev.dbstack.render;

import dev.dbstack.model.Resources;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The objects and parts both renderers build the same way, so databases and containers cannot drift apart. */
final class KubeObjects {
    private KubeObjects() {}

    /** An Opaque Secret holding {@code plaintext} (encoded here, in key order). */
    static Secret secret(String name, String namespace, Map<String, String> labels, Map<String, String> plaintext) {
        Map<String, String> data = new TreeMap<>();
        plaintext.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withType("Opaque").withData(data).build();
    }

    /** A TCP port that targets the container port of the same name. */
    static ServicePort servicePort(String name, int number) {
        return new ServicePortBuilder().withName(name).withPort(number).withTargetPort(new IntOrString(name))
                .withProtocol("TCP").build();
    }

    /** A ClusterIP Service: the stable name clients use. */
    static Service clusterService(String name, String namespace, Map<String, String> labels, Map<String, String> selector,
                                  List<ServicePort> ports) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector).withPorts(ports).endSpec()
                .build();
    }

    /** A headless Service: stable per-pod DNS for a StatefulSet, and SRV records ({@code _<port>._tcp}) for seed lists. */
    static Service headlessService(String name, String namespace, Map<String, String> labels, Map<String, String> selector,
                                   List<ServicePort> ports) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true)
                .withSelector(selector).withPorts(ports).endSpec()
                .build();
    }

    /** CPU and memory requested, and memory as the limit too: a database that outgrows it is stopped, not the node. */
    static ResourceRequirements resources(Resources r) {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(r.cpu()))
                .addToRequests("memory", new Quantity(r.memory()))
                .addToLimits("memory", new Quantity(r.memory()))
                .build();
    }

    /** A ReadWriteOnce claim; {@code namespace} is null in a StatefulSet's claim template. */
    static PersistentVolumeClaim claim(String name, String namespace, Map<String, String> labels, int sizeGiB,
                                       String storageClass) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storageClass)
                .withNewResources().addToRequests("storage", new Quantity(sizeGiB + "Gi")).endResources()
                .endSpec()
                .build();
    }

    static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    /** A variable read from a Secret's key by the kubelet: the value never enters the spec. */
    static EnvVar secretRef(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                .withName(secret).withKey(key).endSecretKeyRef().endValueFrom().build();
    }

    /** The pod-level context every workload gets: the runtime's default seccomp profile. */
    static PodSecurityContext podSecurity() {
        return new PodSecurityContextBuilder().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }
}
