package dev.dbstack.render;

import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.Resources;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.Template;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A container layer → Deployment, a Service for its ports, a PersistentVolumeClaim for its volume,
 * and a Secret for its own {@code secure:} env values.
 *
 * <p>Output references resolve here. A plain output is inlined. A secret output becomes a
 * {@code secretKeyRef}: directly when the variable is the whole value, otherwise through a helper
 * variable that the kubelet substitutes ({@code $(DBSTACK_POSTGRESQL_1_PASSWORD)}), so no secret is
 * ever written into the Deployment. The same holds for {@code command} and {@code args}, which
 * cannot use a {@code secretKeyRef} themselves: a secret output there is always a helper variable.
 * Wherever a helper goes, the rest of that value is escaped so the kubelet expands only the helper.
 */
final class ContainerRenderer {
    private static final Resources DEFAULT_RESOURCES = new Resources("100m", "128Mi");

    private ContainerRenderer() {}

    static String envSecretName(String layer) {
        return layer + "-env";
    }

    static String volumeClaimName(String layer) {
        return layer + "-data";
    }

    /**
     * @param mounts the claims of the database layers without a server (SQLite) this layer consumes
     */
    static RenderedService render(String stack, ServiceId id, String namespace, ContainerLayer layer,
                                  Function<ServiceId, RenderedService> providers, Function<String, String> ownSecrets,
                                  List<RenderedService.SharedVolume> mounts, List<EnvVar> automatic) {
        Map<String, String> labels = Labels.service(stack, id, ContainerLayer.TYPE, "application");
        Map<String, String> selector = Labels.selector(id);
        List<HasMetadata> objects = new ArrayList<>();

        Map<String, EnvVar> helpers = new TreeMap<>();
        List<EnvVar> env = new ArrayList<>();
        Map<String, String> ownSecretValues = new TreeMap<>();
        for (dev.dbstack.model.EnvVar e : layer.env()) {
            if (e.isSecret()) {
                ownSecretValues.put(e.name(), ownSecrets.apply(e.name()));
                env.add(KubeObjects.secretRef(e.name(), envSecretName(layer.name()), e.name()));
                continue;
            }
            List<Template.Part> parts = e.template().parts();
            if (parts.size() == 1 && parts.get(0) instanceof Template.Reference r) {
                OutputValue out = output(id, r, providers);
                env.add(out.isSecret() ? KubeObjects.secretRef(e.name(), out.secretName(), out.secretKey())
                        : KubeObjects.env(e.name(), out.value()));
                continue;
            }
            env.add(KubeObjects.env(e.name(), substitute(id, e.template(), providers, helpers)));
        }
        List<String> command = layer.command().stream().map(a -> substitute(id, a.template(), providers, helpers)).toList();
        List<String> args = layer.args().stream().map(a -> substitute(id, a.template(), providers, helpers)).toList();
        List<EnvVar> allEnv = new ArrayList<>(helpers.values()); // helpers first: $(VAR) sees only earlier entries
        // Then the automatic (Maestro) variables, so the layer's own env may use $(MYSQL_ADDRESS); one the layer
        // sets itself wins (the renderer reports which it shadows).
        java.util.Set<String> own = new java.util.HashSet<>();
        layer.env().forEach(e -> own.add(e.name()));
        automatic.stream().filter(e -> !own.contains(e.getName())).forEach(allEnv::add);
        allEnv.addAll(env);

        if (!ownSecretValues.isEmpty()) {
            objects.add(KubeObjects.secret(envSecretName(layer.name()), namespace, labels, ownSecretValues));
        }
        if (!layer.ports().isEmpty()) {
            objects.add(KubeObjects.clusterService(layer.name(), namespace, labels, selector,
                    layer.ports().stream().map(p -> KubeObjects.servicePort(p.name(), p.port())).toList()));
        }
        ContainerLayer.Volume volume = layer.volume();
        if (volume != null) {
            objects.add(KubeObjects.claim(volumeClaimName(layer.name()), namespace, labels, volume.sizeGiB(), volume.storageClass()));
        }

        ContainerBuilder container = new ContainerBuilder()
                .withName(layer.name())
                .withImage(layer.image())
                .withCommand(command)
                .withArgs(args)
                .withEnv(allEnv)
                .withResources(KubeObjects.resources(layer.resources().orElse(DEFAULT_RESOURCES)))
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).endSecurityContext();
        for (ContainerLayer.Port p : layer.ports()) {
            container.addNewPort().withName(p.name()).withContainerPort(p.port()).withProtocol("TCP").endPort();
        }
        PodSpecBuilder pod = new PodSpecBuilder().withEnableServiceLinks(false).withSecurityContext(KubeObjects.podSecurity());
        if (volume != null) {
            container.addNewVolumeMount().withName("data").withMountPath(volume.mountPath()).endVolumeMount();
            pod.addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(volumeClaimName(layer.name()))
                    .endPersistentVolumeClaim().endVolume();
        }
        for (RenderedService.SharedVolume m : mounts) {
            container.addNewVolumeMount().withName(m.claimName()).withMountPath(m.mountPath()).endVolumeMount();
            pod.addNewVolume().withName(m.claimName()).withNewPersistentVolumeClaim().withClaimName(m.claimName())
                    .endPersistentVolumeClaim().endVolume();
            if (m.fsGroup() != null) pod.editSecurityContext().withFsGroup(m.fsGroup()).endSecurityContext();
        }
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName(layer.name()).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(layer.replicas())
                .withNewSelector().withMatchLabels(selector).endSelector()
                // A ReadWriteOnce volume cannot be attached to old and new pod at once during a rollout.
                .withNewStrategy().withType(volume != null || !mounts.isEmpty() ? "Recreate" : "RollingUpdate").endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withSpec(pod.withContainers(container.build()).build())
                .endTemplate()
                .endSpec()
                .build();
        objects.add(deployment);
        return new RenderedService(id, layer, namespace, List.copyOf(objects), new LinkedHashMap<>(), null);
    }

    /**
     * {@code template} with plain outputs inlined and each secret output as {@code $(HELPER)}, a
     * variable the kubelet expands from a {@code secretKeyRef} added to {@code helpers}.
     *
     * <p>The kubelet expands every {@code $(VAR)} of an env value, command or args item, and turns
     * {@code $$} into {@code $}. So in a value that gets a helper every other {@code $} the kubelet
     * would act on is doubled (the one that starts {@code $(} or {@code $$}; {@code $HOME} is left
     * alone): after expansion the container sees exactly the text the user wrote, with the secret in
     * place. A value without a secret output is left as written, Kubernetes' own {@code $(VAR)} and
     * all, as it always was.
     */
    private static String substitute(ServiceId id, Template template, Function<ServiceId, RenderedService> providers,
                                     Map<String, EnvVar> helpers) {
        StringBuilder text = new StringBuilder();
        List<int[]> helperSpans = new ArrayList<>();
        for (Template.Part part : template.parts()) {
            if (part instanceof Template.Literal l) {
                text.append(l.text());
            } else if (part instanceof Template.Reference r) {
                OutputValue out = output(id, r, providers);
                if (out.isSecret()) {
                    String helper = helperName(r);
                    helpers.putIfAbsent(helper, KubeObjects.secretRef(helper, out.secretName(), out.secretKey()));
                    helperSpans.add(new int[] {text.length(), text.length() + helper.length() + 3});
                    text.append("$(").append(helper).append(')');
                } else {
                    text.append(out.value());
                }
            }
        }
        if (helperSpans.isEmpty()) return text.toString();
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        int span = 0;
        for (int i = 0; i < text.length(); i++) {
            if (span < helperSpans.size() && i == helperSpans.get(span)[0]) {
                escaped.append(text, i, helperSpans.get(span)[1]);
                i = helperSpans.get(span++)[1] - 1;
                continue;
            }
            char c = text.charAt(i);
            escaped.append(c);
            // the next character may be a helper's own "$(": a lone '$' before it must not pair with it
            if (c == '$' && i + 1 < text.length() && (text.charAt(i + 1) == '(' || text.charAt(i + 1) == '$')) {
                escaped.append('$');
            }
        }
        return escaped.toString();
    }

    private static OutputValue output(ServiceId consumer, Template.Reference r, Function<ServiceId, RenderedService> providers) {
        RenderedService provider = providers.apply(new ServiceId(consumer.app(), r.layer()));
        OutputValue out = provider == null ? null : provider.outputs().get(r.variable());
        if (out == null) {
            // The graph validated every reference; reaching this is a bug, not bad input.
            throw new IllegalStateException(consumer + " references unrendered output " + r);
        }
        return out;
    }

    /** {@code DBSTACK_POSTGRESQL_1_PASSWORD} for {@code postgresql-1.PASSWORD}. */
    static String helperName(Template.Reference r) {
        return "DBSTACK_" + r.layer().toUpperCase().replace('-', '_') + "_" + r.variable();
    }
}
