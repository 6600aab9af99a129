package dev.dbstack.render;

import dev.dbstack.catalog.CatalogTemplate;
import dev.dbstack.catalog.Component;
import dev.dbstack.graph.DatabaseGroups;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Resources;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.Deployment;
import dev.dbstack.model.NodePool;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A database layer → credentials Secret, headless and client Services, StatefulSet with a volume
 * per pod, then whatever the type's {@link TypeHook} adds. A type without a server (SQLite) is a
 * claim its consumers mount ({@link RenderedService.SharedVolume}).
 */
final class DatabaseRenderer {
    static final String DATA_VOLUME = "data";

    private DatabaseRenderer() {}

    static String secretName(String layer) {
        return layer + "-credentials";
    }

    /** The Service over every pod of a layer with replicas of a primary: where reads may go. */
    static String readServiceName(String layer) {
        return layer + "-read";
    }

    /** A layer whose pod 0 takes the writes and whose other pods follow it. */
    static boolean primaryWithReplicas(DatabaseLayer layer, Component c) {
        return layer.replicas() > 1 && c.replication().primary();
    }

    /** The ConfigMap holding a layer's parameters as its type's config file. */
    static String configName(String layer) {
        return layer + "-config";
    }

    static final String CONFIG_VOLUME = "dbstack-config";

    static String headlessName(String layer) {
        return layer + "-headless";
    }

    /** The claim of a type without a server: its data, mounted by the containers that consume it. */
    static String sharedClaimName(String layer) {
        return DATA_VOLUME + "-" + layer;
    }

    /**
     * @param consumers the pods of the layers consuming this one, whose policy admits them
     *                  ({@link NetworkPolicies}); null when the cluster group renders no policies
     */
    static RenderedService render(String stack, ServiceId id, String namespace, DatabaseLayer layer, AppProfile profile,
                                  ClusterGroup group, Component c, CredentialSource credentials, TypeHook hook,
                                  List<ServiceId> consumers, DatabaseGroups.Names maestro) {
        // A renamed layer's data keeps its old name: the StatefulSet, its selector, claims, headless
        // Service and credentials are rendered exactly as before; the layer, its client Service and its
        // outputs take the new name.
        ServiceId dataId = new ServiceId(id.app(), layer.dataName());
        String data = layer.dataName();
        Map<String, String> labels = Labels.service(stack, dataId, c.type(), "database");
        String dataDir = c.hasServer() ? c.storage().mountPath() : c.storage().mountPath() + "/" + layer.name();

        if (layer.deployment().isExternal()) {
            return renderExternal(stack, id, namespace, layer, c, credentials, group.clusterDomain(), maestro);
        }
        Map<String, String> vars = templateValues(layer, c, namespace, group.clusterDomain(), dataDir);
        Map<String, String> plainVars = new TreeMap<>(vars);
        c.credentials().forEach((name, spec) -> vars.put("credentials." + name,
                credentials.credential(dataId, name, spec, Optional.ofNullable(layer.credentials().get(name))).reveal()));
        Map<String, OutputValue> outputs = new LinkedHashMap<>();
        Map<String, String> secretOutputs = new TreeMap<>();
        for (Component.Output o : c.outputs()) {
            if (o.secret()) {
                secretOutputs.put(o.name(), CatalogTemplate.expand(o.value(layer.replicas()), vars));
                outputs.put(o.name(), OutputValue.secret(o.name(), secretName(data), o.name(), o.description()));
            } else {
                outputs.put(o.name(), OutputValue.plain(o.name(), CatalogTemplate.expand(o.value(layer.replicas()),
                        plainVars), o.description()));
            }
        }
        List<HasMetadata> objects = new ArrayList<>();
        if (!secretOutputs.isEmpty()) { // a type without secrets (GlusterFS) gets no empty Secret
            objects.add(KubeObjects.secret(secretName(data), namespace, labels, secretOutputs));
        }
        String initSettings = initSettings(c, layer);
        if (!c.hasServer()) {
            var claim = KubeObjects.claim(sharedClaimName(data), namespace, labels, layer.storageGiB(), layer.storageClass());
            if (initSettings != null) claim.getMetadata().setAnnotations(Map.of(Labels.INIT_SETTINGS, initSettings));
            objects.add(claim);
            Long fsGroup = c.securityContext() == null ? null : c.securityContext().fsGroup();
            return new RenderedService(id, layer, namespace, objects, outputs,
                    new RenderedService.SharedVolume(sharedClaimName(data), dataDir, fsGroup));
        }

        Map<String, String> selector = Labels.selector(dataId);
        List<ServicePort> ports = c.allPorts().stream().map(p -> KubeObjects.servicePort(p.name(), p.number())).toList();
        objects.add(KubeObjects.headlessService(headlessName(data), namespace, labels, selector, ports));
        // Replicas of a primary: the client Services reach pod 0, the writer; the read Service every pod.
        Map<String, String> clientSelector = selector;
        if (primaryWithReplicas(layer, c)) {
            clientSelector = new TreeMap<>(selector);
            clientSelector.put(Labels.POD_NAME, data + "-0");
            objects.add(KubeObjects.clusterService(readServiceName(layer.name()), namespace,
                    Labels.service(stack, id, c.type(), "database"), selector, ports));
        }
        objects.add(KubeObjects.clusterService(layer.name(), namespace, Labels.service(stack, id, c.type(), "database"),
                clientSelector, ports));
        // Maestro's names (mysql-spare, and mysql for the primary): more client Services for the same pods.
        if (maestro != null) {
            for (String name : maestro.extraServices()) {
                objects.add(KubeObjects.clusterService(name, namespace, Labels.service(stack, id, c.type(), "database"),
                        clientSelector, ports));
            }
        }

        Resources res = layer.resources().orElse(new Resources(c.resources().cpu(), c.resources().memory()));
        String keyPath = "config.dbstack:profiles[" + profile.name() + "].layers[" + layer.name() + "]";
        Map<String, String> credentialValues = new TreeMap<>();
        vars.forEach((k, v) -> {
            if (k.startsWith("credentials.")) credentialValues.put(k.substring("credentials.".length()), v);
        });
        TypeHook.Context ctx = new TypeHook.Context(layer, c, group, namespace, keyPath, data, secretName(data), res, labels,
                credentialValues);
        Container server = server(c, plainVars, secretName(data), res);
        String configChecksum = null;
        if (!layer.parameters().isEmpty()) {
            Component.Parameters p = c.parameters();
            String fileText = dev.dbstack.catalog.ParameterValues.fileText(p, layer.parameters());
            List<String> flags = dev.dbstack.catalog.ParameterValues.flags(p, layer.parameters());
            if (fileText != null) {
                objects.add(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata().withName(configName(data)).withNamespace(namespace).withLabels(labels)
                        .withAnnotations(Map.of(Labels.PARAMETERS, parametersJson(layer))).endMetadata()
                        .withData(Map.of(p.fileName(), fileText))
                        .build());
                server.getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                        .withName(CONFIG_VOLUME).withMountPath(p.file()).withSubPath(p.fileName()).withReadOnly(true).build());
            }
            List<String> args = new ArrayList<>(server.getArgs());
            args.addAll(flags);
            server.setArgs(args);
            configChecksum = sha256(fileText != null ? fileText : String.join("\n", flags));
        }
        PodSpec pod = podSpec(c, server);
        if (configChecksum != null && c.parameters().file() != null) {
            pod.getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(CONFIG_VOLUME)
                    .withNewConfigMap().withName(configName(data)).endConfigMap().build());
        }
        if (c.storage().removeLostFound()) pod.getInitContainers().add(removeLostFound(c, server));
        place(pod, layer, id, selector, group);
        if (hook != null) hook.shapePod(ctx, pod);

        Map<String, String> annotations = new TreeMap<>();
        annotations.put(Labels.PROFILE, profile.ref());
        annotations.put(Labels.VERSION, layer.version());
        if (c.engine() != null) annotations.put(Labels.ENGINE, c.engine());
        if (initSettings != null) annotations.put(Labels.INIT_SETTINGS, initSettings);
        if (!layer.parameters().isEmpty()) annotations.put(Labels.PARAMETERS, parametersJson(layer));
        Map<String, String> podAnnotations = backupAnnotations(c, server, pod);
        if (configChecksum != null) {
            podAnnotations = podAnnotations == null ? new TreeMap<>() : new TreeMap<>(podAnnotations);
            podAnnotations.put(Labels.CONFIG_CHECKSUM, configChecksum);
        }
        List<String> readiness = new ArrayList<>(c.readiness());
        if (hook != null) readiness.addAll(hook.readiness(ctx));
        if (!readiness.isEmpty()) annotations.put(Labels.READY_WHEN, readyWhen(readiness));
        StatefulSet sts = new StatefulSetBuilder()
                .withNewMetadata().withName(data).withNamespace(namespace).withLabels(labels)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withServiceName(headlessName(data))
                .withReplicas(layer.replicas())
                .withPodManagementPolicy("OrderedReady")
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewTemplate().withNewMetadata().withLabels(labels).withAnnotations(podAnnotations)
                .endMetadata().withSpec(pod).endTemplate()
                .withVolumeClaimTemplates(KubeObjects.claim(DATA_VOLUME, null, selector, layer.storageGiB(), layer.storageClass()))
                .endSpec()
                .build();
        // Before the workload, so its pods never run unprotected. A host-network pod (GlusterFS) is node
        // traffic to a policy, which cannot protect it: rendering one would only pretend.
        if (consumers != null && !Boolean.TRUE.equals(pod.getHostNetwork())) {
            objects.add(NetworkPolicies.ingress(namespace, labels, dataId, c.allPorts(), consumers));
        }
        // A hook's ConfigMaps and Secrets before the workload, whose pods mount them (objects apply in order).
        List<HasMetadata> extra = hook == null ? List.of() : hook.extraObjects(ctx);
        extra.stream().filter(DatabaseRenderer::mounted).forEach(objects::add);
        objects.add(sts);
        extra.stream().filter(o -> !mounted(o)).forEach(objects::add);
        return new RenderedService(id, layer, namespace, objects, outputs, null);
    }

    private static boolean mounted(HasMetadata o) {
        return o instanceof io.fabric8.kubernetes.api.model.ConfigMap || o instanceof io.fabric8.kubernetes.api.model.Secret;
    }

    /** The weight of the preferred (anti-)affinity: the scheduler's highest, as nothing else dbstack asks competes. */
    static final int PLACEMENT_WEIGHT = 100;

    /**
     * Where the database's pods run. Dedicated: apart from each other, by a preferred anti-affinity among the layer's own
     * pods per node ({@code kubernetes.io/hostname}); preferred, not required, because a required one leaves a replica
     * Pending for ever on a cluster with fewer nodes than replicas (a laptop's one-node cluster), where running two on
     * one node is still better than not running. On the cluster group's database nodes when it names them
     * ({@code databaseNodes}): node selector and tolerations on the pod. Local: next to the app's container pods, by a
     * preferred pod affinity; required would leave the database Pending, because it is applied before the pods of its
     * consumers exist.
     */
    private static void place(PodSpec pod, DatabaseLayer layer, ServiceId id, Map<String, String> selector, ClusterGroup group) {
        switch (layer.deployment().type()) {
            case DEDICATED -> {
                pod.setAffinity(new AffinityBuilder().withNewPodAntiAffinity()
                        .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(PLACEMENT_WEIGHT)
                        .withNewPodAffinityTerm().withTopologyKey(HOSTNAME)
                        .withNewLabelSelector().withMatchLabels(new TreeMap<>(selector)).endLabelSelector()
                        .endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                        .endPodAntiAffinity().build());
                NodePool nodes = group.databaseNodes();
                if (!nodes.nodeSelector().isEmpty()) pod.setNodeSelector(new TreeMap<>(nodes.nodeSelector()));
                if (!nodes.tolerations().isEmpty()) {
                    pod.setTolerations(nodes.tolerations().stream().map(t -> new TolerationBuilder().withKey(t.key())
                            .withOperator(t.operator()).withValue(t.value()).withEffect(t.effect())
                            .withTolerationSeconds(t.tolerationSeconds()).build()).toList());
                }
            }
            case LOCAL -> {
                Map<String, String> appPods = new TreeMap<>();
                appPods.put("app.kubernetes.io/part-of", id.app());
                appPods.put("app.kubernetes.io/component", "application");
                pod.setAffinity(new AffinityBuilder().withNewPodAffinity()
                        .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(PLACEMENT_WEIGHT)
                        .withNewPodAffinityTerm().withTopologyKey(HOSTNAME)
                        .withNewLabelSelector().withMatchLabels(appPods).endLabelSelector()
                        .endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                        .endPodAffinity().build());
            }
            case EXTERNAL -> throw new IllegalStateException("an external database has no pods");
        }
    }

    static final String HOSTNAME = "kubernetes.io/hostname";

    /** The EndpointSlice of an external database at an IP address. */
    static String endpointSliceName(String layer) {
        return layer + "-external";
    }

    /** An external database's credentials: not the data's Secret name, which kept data of an earlier layer may hold. */
    static String externalSecretName(String layer) {
        return layer + "-external-credentials";
    }

    /**
     * An external database: no workload, claims or generated credentials. The layer's usual client Service, so
     * consumers and outputs use the same in-cluster name: selector-less with an EndpointSlice for an IP address, an
     * ExternalName Service for a host name. The Service's port is the external server's, so the outputs' port is
     * right either way (an ExternalName Service is only a DNS alias: clients reach the server's own port).
     */
    private static RenderedService renderExternal(String stack, ServiceId id, String namespace, DatabaseLayer layer,
                                                  Component c, CredentialSource credentials, String domain,
                                                  DatabaseGroups.Names maestro) {
        Deployment d = layer.deployment();
        Map<String, String> labels = Labels.service(stack, id, c.type(), "database");
        Map<String, String> vars = templateValues(layer, c, namespace, domain, c.storage().mountPath());
        vars.put("port", Integer.toString(d.port()));
        if (c.port() != null) vars.put("ports." + c.port().name(), Integer.toString(d.port()));
        // No headless Service: what names the pods (MongoDB's SRV seed list) names the one Service instead.
        vars.put("headlessHost", vars.get("host"));
        vars.put("members", vars.get("host") + ":" + d.port());
        Map<String, String> plainVars = new TreeMap<>(vars);
        // Only what the user supplied: nothing is generated for a server dbstack does not run.
        c.credentials().forEach((name, spec) -> {
            if (layer.credentials().containsKey(name)) vars.put("credentials." + name,
                    credentials.credential(id, name, spec, Optional.of(layer.credentials().get(name))).reveal());
        });
        Map<String, OutputValue> outputs = new LinkedHashMap<>();
        Map<String, String> secretOutputs = new TreeMap<>();
        String secret = externalSecretName(layer.name());
        for (Component.Output o : c.outputs()) {
            if (o.secret()) {
                secretOutputs.put(o.name(), CatalogTemplate.expand(o.value(1), vars));
                outputs.put(o.name(), OutputValue.secret(o.name(), secret, o.name(), o.description()));
            } else {
                outputs.put(o.name(), OutputValue.plain(o.name(), CatalogTemplate.expand(o.value(1), plainVars), o.description()));
            }
        }
        List<HasMetadata> objects = new ArrayList<>();
        if (!secretOutputs.isEmpty()) objects.add(KubeObjects.secret(secret, namespace, labels, secretOutputs));
        String portName = c.port().name();
        ServicePort port = new ServicePortBuilder().withName(portName).withPort(d.port())
                .withTargetPort(new IntOrString(d.port())).withProtocol("TCP").build();
        Map<String, String> annotations = Map.of(Labels.DEPLOYMENT, Deployment.Type.EXTERNAL.toString());
        String addressType = d.addressType();
        if (addressType != null) {
            objects.add(new ServiceBuilder()
                    .withNewMetadata().withName(layer.name()).withNamespace(namespace).withLabels(labels)
                    .withAnnotations(annotations).endMetadata()
                    .withNewSpec().withType("ClusterIP").withPorts(port).endSpec().build());
            Map<String, String> sliceLabels = new TreeMap<>(labels);
            sliceLabels.put("kubernetes.io/service-name", layer.name());
            // Not the EndpointSlice controller's: it leaves the slices of a selector-less Service to their owner.
            sliceLabels.put("endpointslice.kubernetes.io/managed-by", "dbstack.dev");
            objects.add(new EndpointSliceBuilder()
                    .withNewMetadata().withName(endpointSliceName(layer.name())).withNamespace(namespace)
                    .withLabels(sliceLabels).endMetadata()
                    .withAddressType(addressType)
                    .addNewEndpoint().withAddresses(d.host()).withNewConditions().withReady(true).endConditions().endEndpoint()
                    .addNewPort().withName(portName).withPort(d.port()).withProtocol("TCP").endPort()
                    .build());
        } else {
            objects.add(new ServiceBuilder()
                    .withNewMetadata().withName(layer.name()).withNamespace(namespace).withLabels(labels)
                    .withAnnotations(annotations).endMetadata()
                    .withNewSpec().withType("ExternalName").withExternalName(d.host()).withPorts(port).endSpec().build());
        }
        // Maestro's names of an external layer: no pods to select, so each is an alias of the layer's own Service.
        if (maestro != null) {
            for (String name : maestro.extraServices()) {
                objects.add(new ServiceBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                        .withAnnotations(annotations).endMetadata()
                        .withNewSpec().withType("ExternalName").withExternalName(layer.name() + "." + namespace + ".svc." + domain)
                        .withPorts(port).endSpec().build());
            }
        }
        return new RenderedService(id, layer, namespace, objects, outputs, null);
    }

    /** Velero's pod annotations for backup hooks, by phase. */
    static final String HOOK_ANNOTATION = "hook.backup.velero.io/";
    /** Velero's opt-out list of a pod's volumes that file-system backup leaves alone. */
    static final String VOLUMES_EXCLUDES = "backup.velero.io/backup-volumes-excludes";

    /**
     * The type's backup hooks ({@code backup:} in its catalog file) as Velero's annotations on the pod template, and
     * the pod's volumes that are not data as file-system backup's exclusions; null when there are none.
     *
     * <p>Always rendered, whether or not the cluster group backs up: without Velero they do nothing, and a change of
     * the pod template rolls the database's pods, so turning backup on or off, or changing its mode, must change
     * only the Schedule. Annotations rather than hooks in the Schedule: Velero runs a pod's annotated hooks (and
     * then ignores the Schedule's), and the type knows its commands, not the cluster group.
     *
     * <p>The exclusions are what Velero's opt-out mode ({@code defaultVolumesToFsBackup}, filesystem mode) would
     * otherwise upload besides the data claim: the pod's volumes that are not Secrets, ConfigMaps, projected,
     * downward-API or host paths (which Velero skips by itself), such as RabbitMQ's emptyDir for the Erlang cookie.
     */
    private static Map<String, String> backupAnnotations(Component c, Container server, PodSpec pod) {
        Map<String, String> a = new TreeMap<>();
        hook(a, "pre", c.backup().pre(), server.getName());
        hook(a, "post", c.backup().post(), server.getName());
        List<String> excluded = pod.getVolumes().stream()
                .filter(v -> v.getSecret() == null && v.getConfigMap() == null && v.getProjected() == null
                        && v.getDownwardAPI() == null && v.getHostPath() == null && v.getPersistentVolumeClaim() == null)
                .map(io.fabric8.kubernetes.api.model.Volume::getName).sorted().toList();
        if (!excluded.isEmpty()) a.put(VOLUMES_EXCLUDES, String.join(",", excluded));
        return a.isEmpty() ? null : a;
    }

    private static void hook(Map<String, String> a, String phase, Component.BackupHook hook, String container) {
        if (hook == null) return;
        var command = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        hook.command().forEach(command::add);
        a.put(phase + "." + HOOK_ANNOTATION + "container", container);
        a.put(phase + "." + HOOK_ANNOTATION + "command", command.toString());
        a.put(phase + "." + HOOK_ANNOTATION + "on-error", hook.onError());
        a.put(phase + "." + HOOK_ANNOTATION + "timeout", hook.timeout());
    }

    /**
     * The Maestro-style variables a container receives for {@code layer} ({@code environment:} of its type): one
     * family per Maestro Service of the layer ({@code MYSQL_SPARE_*} for {@code mysql-spare}, {@code MYSQL_*} for
     * the primary's {@code mysql}), in the catalog's order. A value taken from a secret output is a
     * {@code secretKeyRef} to the layer's credentials Secret; {@code {{host}}} is the family's Service.
     */
    static List<EnvVar> clientEnv(DatabaseLayer layer, Component c, String namespace, String domain,
                                  DatabaseGroups.Names maestro, Map<String, OutputValue> outputs) {
        List<EnvVar> env = new ArrayList<>();
        if (c.environment().prefix() == null || maestro == null) return env;
        String dataDir = c.hasServer() ? c.storage().mountPath() : c.storage().mountPath() + "/" + layer.name();
        List<String[]> families = new ArrayList<>(); // {prefix, service}
        if (maestro.plainService() != null) families.add(new String[] {DatabaseGroups.prefix(c, null), maestro.plainService()});
        if (maestro.groupService() != null) {
            families.add(new String[] {DatabaseGroups.prefix(c, maestro.group()), maestro.groupService()});
        }
        for (String[] family : families) {
            Map<String, String> vars = templateValues(layer, c, namespace, domain, dataDir);
            vars.put("host", family[1] + "." + namespace + ".svc." + domain);
            if (layer.deployment().isExternal()) { // its Services carry the external server's port
                vars.put("port", Integer.toString(layer.deployment().port()));
                vars.put("ports." + c.port().name(), Integer.toString(layer.deployment().port()));
            }
            c.environment().variables().forEach((name, template) -> {
                String var = family[0] + "_" + name;
                java.util.Optional<String> output = Component.Environment.outputOf(template);
                if (output.isEmpty()) {
                    env.add(KubeObjects.env(var, CatalogTemplate.expand(template, vars)));
                    return;
                }
                OutputValue out = outputs.get(output.get());
                env.add(out.isSecret() ? KubeObjects.secretRef(var, out.secretName(), out.secretKey())
                        : KubeObjects.env(var, out.value()));
            });
        }
        return env;
    }

    /** What catalog templates may use, credentials aside. */
    private static Map<String, String> templateValues(DatabaseLayer layer, Component c, String namespace, String domain,
                                                      String dataDir) {
        Map<String, String> vars = new TreeMap<>();
        vars.put("layer", layer.name());
        vars.put("namespace", namespace);
        vars.put("version", layer.version());
        vars.put("engine", c.engine() == null ? "" : c.engine());
        vars.put("host", layer.name() + "." + namespace + ".svc." + domain);
        vars.put("headlessHost", headlessName(layer.dataName()) + "." + namespace + ".svc." + domain);
        vars.put("dataDir", dataDir);
        vars.put("replicas", Integer.toString(layer.replicas()));
        vars.put("readHost", primaryWithReplicas(layer, c) ? readServiceName(layer.name()) + "." + namespace + ".svc." + domain
                : vars.get("host"));
        if (c.port() != null) {
            List<String> members = new ArrayList<>();
            for (int i = 0; i < layer.replicas(); i++) {
                members.add(layer.dataName() + "-" + i + "." + vars.get("headlessHost") + ":" + c.port().number());
            }
            vars.put("members", String.join(",", members));
        }
        if (c.port() != null) vars.put("port", Integer.toString(c.port().number()));
        c.allPorts().forEach(p -> vars.put("ports." + p.name(), Integer.toString(p.number())));
        layer.settings().forEach((k, v) -> vars.put("settings." + k, v));
        return vars;
    }

    /** The server's container: the catalog's image, ports, variables, resources, data mount and probes. */
    private static Container server(Component c, Map<String, String> vars, String secret, Resources res) {
        List<EnvVar> env = new ArrayList<>();
        c.env().forEach((name, spec) -> env.add(spec.secret() != null ? KubeObjects.secretRef(name, secret, spec.secret())
                : KubeObjects.env(name, CatalogTemplate.expand(spec.value(), vars))));
        c.storage().env().forEach((name, value) -> env.add(KubeObjects.env(name, value)));
        ContainerBuilder b = new ContainerBuilder()
                .withName(c.type())
                .withImage(c.imageFor(vars.get("version")))
                .withImagePullPolicy("IfNotPresent")
                .withCommand(c.command().stream().map(a -> CatalogTemplate.expand(a, vars)).toList())
                .withArgs(c.args().stream().map(a -> CatalogTemplate.expand(a, vars)).toList())
                .withEnv(env)
                .withResources(KubeObjects.resources(res))
                .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(c.storage().mountPath()).endVolumeMount()
                .withReadinessProbe(probe(c.readinessProbe(), c.port().name()))
                .withLivenessProbe(probe(c.livenessProbe(), c.port().name()))
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext();
        c.allPorts().forEach(p -> b.addNewPort().withName(p.name()).withContainerPort(p.number()).withProtocol("TCP").endPort());
        return b.build();
    }

    /**
     * Removes the volume's {@code lost+found} while it is empty, before the server starts: {@code rmdir}
     * never removes a directory with anything in it, so nothing fsck recovered is lost.
     */
    private static Container removeLostFound(Component c, Container server) {
        String dir = c.storage().mountPath() + "/lost+found";
        return new ContainerBuilder()
                .withName("remove-lost-found")
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                .withCommand("sh", "-c", "if [ -d '" + dir + "' ]; then rmdir '" + dir + "' || true; fi")
                .withResources(server.getResources())
                .withVolumeMounts(server.getVolumeMounts().stream().filter(m -> m.getName().equals(DATA_VOLUME)).toList())
                .withSecurityContext(server.getSecurityContext())
                .build();
    }

    private static PodSpec podSpec(Component c, Container server) {
        Component.SecurityContext sc = c.securityContext();
        PodSpec pod = new PodSpecBuilder()
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(60L)
                .withSecurityContext(KubeObjects.podSecurity())
                .withContainers(server)
                .build();
        pod.getSecurityContext().setRunAsNonRoot(sc.runAsUser() != 0);
        pod.getSecurityContext().setRunAsUser(sc.runAsUser());
        pod.getSecurityContext().setRunAsGroup(sc.runAsGroup());
        if (sc.fsGroup() != null) { // a root server owns its volume without one
            pod.getSecurityContext().setFsGroup(sc.fsGroup());
            pod.getSecurityContext().setFsGroupChangePolicy("OnRootMismatch");
        }
        return pod;
    }

    /** The layer's first-start-only settings as a JSON object in key order; null when the type has none. */
    private static String initSettings(Component c, DatabaseLayer layer) {
        var values = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        c.settings().forEach((name, s) -> {
            if (s.initOnly() && layer.settings().containsKey(name)) values.put(name, layer.settings().get(name));
        });
        return values.isEmpty() ? null : values.toString();
    }

    /** The layer's parameters as a JSON object in name order. */
    private static String parametersJson(DatabaseLayer layer) {
        var values = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        new TreeMap<>(layer.parameters()).forEach(values::put);
        return values.toString();
    }

    private static String sha256(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The conditions as a JSON list of strings. */
    static String readyWhen(List<String> conditions) {
        var list = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        conditions.forEach(list::add);
        return list.toString();
    }

    private static Probe probe(Component.Probe p, String portName) {
        if (p == null) return null;
        ProbeBuilder b = new ProbeBuilder()
                .withInitialDelaySeconds(p.initialDelaySeconds())
                .withPeriodSeconds(p.periodSeconds() > 0 ? p.periodSeconds() : 10)
                .withTimeoutSeconds(p.timeoutSeconds() > 0 ? p.timeoutSeconds() : 1)
                .withFailureThreshold(p.failureThreshold() > 0 ? p.failureThreshold() : 3);
        if (p.exec() != null && !p.exec().isEmpty()) {
            b.withNewExec().withCommand(p.exec()).endExec();
        } else if (p.httpGet() != null) {
            b.withNewHttpGet().withPath(p.httpGet().path())
                    .withPort(new IntOrString(p.httpGet().port() != null ? p.httpGet().port() : portName))
                    .withScheme(p.httpGet().scheme() != null ? p.httpGet().scheme() : "HTTP").endHttpGet();
        } else {
            b.withNewTcpSocket().withPort(new IntOrString(portName)).endTcpSocket();
        }
        return b.build();
    }
}
