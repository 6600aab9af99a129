package dev.dbstack.render;

import dev.dbstack.catalog.CatalogTemplate;
import dev.dbstack.catalog.Component;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Resources;
import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A database layer → credentials Secret, headless and client Services, StatefulSet with a volume per pod. */
final class DatabaseRenderer {
    static final String DATA_VOLUME = "data";

    private DatabaseRenderer() {}

    static String secretName(String layer) {
        return layer + "-credentials";
    }

    static String headlessName(String layer) {
        return layer + "-headless";
    }

    static RenderedService render(String stack, ServiceId id, String namespace, DatabaseLayer layer, AppProfile profile,
                                  ClusterGroup group, Component c, CredentialSource credentials) {
        // A renamed layer's data keeps its old name: the StatefulSet, its selector, claims, headless
        // Service and credentials are rendered exactly as before; the layer, its client Service and its
        // outputs take the new name.
        ServiceId dataId = new ServiceId(id.app(), layer.dataName());
        String data = layer.dataName();
        Map<String, String> labels = Labels.service(stack, dataId, c.type(), "database");
        Map<String, String> selector = Labels.selector(dataId);
        String domain = group.clusterDomain();

        Map<String, String> vars = new TreeMap<>();
        vars.put("layer", layer.name());
        vars.put("namespace", namespace);
        vars.put("version", layer.version());
        vars.put("port", Integer.toString(c.port().number()));
        vars.put("host", layer.name() + "." + namespace + ".svc." + domain);
        vars.put("headlessHost", headlessName(data) + "." + namespace + ".svc." + domain);
        layer.settings().forEach((k, v) -> vars.put("settings." + k, v));
        Map<String, String> plainVars = new TreeMap<>(vars);
        c.credentials().forEach((name, spec) -> vars.put("credentials." + name,
                credentials.credential(dataId, name, spec, Optional.ofNullable(layer.credentials().get(name))).reveal()));

        Map<String, OutputValue> outputs = new LinkedHashMap<>();
        Map<String, String> secretData = new TreeMap<>();
        for (Component.Output o : c.outputs()) {
            if (o.secret()) {
                String value = CatalogTemplate.expand(o.value(), vars);
                secretData.put(o.name(), Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
                outputs.put(o.name(), OutputValue.secret(o.name(), secretName(data), o.name(), o.description()));
            } else {
                outputs.put(o.name(), OutputValue.plain(o.name(), CatalogTemplate.expand(o.value(), plainVars), o.description()));
            }
        }

        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(secretName(data)).withNamespace(namespace).withLabels(labels).endMetadata()
                .withType("Opaque")
                .withData(secretData)
                .build();

        ServicePort port = new ServicePortBuilder().withName(c.port().name()).withPort(c.port().number())
                .withTargetPort(new IntOrString(c.port().name())).withProtocol("TCP").build();
        // Headless: stable per-pod DNS for the StatefulSet and SRV records (_<port>._tcp) for seed lists.
        Service headless = new ServiceBuilder()
                .withNewMetadata().withName(headlessName(data)).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true)
                .withSelector(selector).withPorts(port).endSpec()
                .build();
        Service client = new ServiceBuilder()
                .withNewMetadata().withName(layer.name()).withNamespace(namespace)
                .withLabels(Labels.service(stack, id, c.type(), "database")).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector).withPorts(port).endSpec()
                .build();

        Component.Storage.Variant storage = c.storageFor(layer.version());
        Resources res = layer.resources().orElse(new Resources(c.resources().cpu(), c.resources().memory()));
        Container container = new ContainerBuilder()
                .withName(c.type())
                .withImage(c.image() + ":" + layer.version())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(c.command())
                .withArgs(c.args())
                .addNewPort().withName(c.port().name()).withContainerPort(c.port().number()).withProtocol("TCP").endPort()
                .withEnv(containerEnv(c, storage, plainVars, secretName(data)))
                .withNewResources()
                .addToRequests("cpu", new Quantity(res.cpu()))
                .addToRequests("memory", new Quantity(res.memory()))
                .addToLimits("memory", new Quantity(res.memory()))
                .endResources()
                .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(storage.mountPath()).endVolumeMount()
                .withReadinessProbe(probe(c.readinessProbe(), c.port().name()))
                .withLivenessProbe(probe(c.livenessProbe(), c.port().name()))
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();

        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(DATA_VOLUME).withLabels(selector).endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(layer.storageClass())
                .withNewResources().addToRequests("storage", new Quantity(layer.storageGiB() + "Gi")).endResources()
                .endSpec()
                .build();

        Map<String, String> annotations = new TreeMap<>();
        annotations.put(Labels.PROFILE, profile.ref());
        annotations.put(Labels.VERSION, layer.version());
        if (!c.readiness().isEmpty()) annotations.put(Labels.READY_WHEN, readyWhen(c.readiness()));
        StatefulSet sts = new StatefulSetBuilder()
                .withNewMetadata().withName(data).withNamespace(namespace).withLabels(labels)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withServiceName(headlessName(data))
                .withReplicas(layer.replicas())
                .withPodManagementPolicy("OrderedReady")
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(60L)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(c.securityContext().runAsUser())
                .withRunAsGroup(c.securityContext().runAsGroup())
                .withFsGroup(c.securityContext().fsGroup())
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(container)
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(claim)
                .endSpec()
                .build();

        List<HasMetadata> objects = List.of(secret, headless, client, sts);
        return new RenderedService(id, layer, namespace, objects, outputs);
    }

    /** The conditions as a JSON list of strings. */
    static String readyWhen(List<String> conditions) {
        var list = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        conditions.forEach(list::add);
        return list.toString();
    }

    private static List<EnvVar> containerEnv(Component c, Component.Storage.Variant storage, Map<String, String> vars,
                                             String secretName) {
        List<EnvVar> env = new ArrayList<>();
        c.env().forEach((name, spec) -> {
            if (spec.secret() != null) {
                env.add(new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                        .withName(secretName).withKey(spec.secret()).endSecretKeyRef().endValueFrom().build());
            } else {
                env.add(new EnvVarBuilder().withName(name).withValue(CatalogTemplate.expand(spec.value(), vars)).build());
            }
        });
        new TreeMap<>(storage.env()).forEach((name, value) -> env.add(new EnvVarBuilder().withName(name).withValue(value).build()));
        return env;
    }

    private static Probe probe(Component.Probe p, String portName) {
        if (p == null) return null;
        ProbeBuilder b = new ProbeBuilder()
                .withInitialDelaySeconds(p.initialDelaySeconds())
                .withPeriodSeconds(p.periodSeconds() > 0 ? p.periodSeconds() : 10)
                .withTimeoutSeconds(p.timeoutSeconds() > 0 ? p.timeoutSeconds() : 1)
                .withFailureThreshold(p.failureThreshold() > 0 ? p.failureThreshold() : 3);
        if (p.exec() != null && !p.exec().isEmpty()) b.withNewExec().withCommand(p.exec()).endExec();
        else b.withNewTcpSocket().withPort(new IntOrString(portName)).endTcpSocket();
        return b.build();
    }
}
