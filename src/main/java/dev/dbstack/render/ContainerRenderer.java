package dev.dbstack.render;

import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.Resources;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.Template;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
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

    static RenderedService render(String stack, ServiceId id, String namespace, ContainerLayer layer,
                                  Function<ServiceId, RenderedService> providers, Function<String, String> ownSecrets) {
        Map<String, String> labels = Labels.service(stack, id, ContainerLayer.TYPE, "application");
        Map<String, String> selector = Labels.selector(id);
        List<HasMetadata> objects = new ArrayList<>();

        Map<String, EnvVar> helpers = new TreeMap<>();
        List<EnvVar> env = new ArrayList<>();
        Map<String, String> ownSecretData = new TreeMap<>();
        for (dev.dbstack.model.EnvVar e : layer.env()) {
            if (e.isSecret()) {
                ownSecretData.put(e.name(), Base64.getEncoder().encodeToString(
                        ownSecrets.apply(e.name()).getBytes(StandardCharsets.UTF_8)));
                env.add(secretRef(e.name(), envSecretName(layer.name()), e.name()));
                continue;
            }
            List<Template.Part> parts = e.template().parts();
            if (parts.size() == 1 && parts.get(0) instanceof Template.Reference r) {
                OutputValue out = output(id, r, providers);
                env.add(out.isSecret() ? secretRef(e.name(), out.secretName(), out.secretKey())
                        : new EnvVarBuilder().withName(e.name()).withValue(out.value()).build());
                continue;
            }
            String value = substitute(id, e.template(), providers, helpers);
            env.add(new EnvVarBuilder().withName(e.name()).withValue(value).build());
        }
        List<String> command = layer.command().stream().map(a -> substitute(id, a.template(), providers, helpers)).toList();
        List<String> args = layer.args().stream().map(a -> substitute(id, a.template(), providers, helpers)).toList();
        List<EnvVar> allEnv = new ArrayList<>(helpers.values()); // helpers first: $(VAR) sees only earlier entries
        allEnv.addAll(env);

        if (!ownSecretData.isEmpty()) {
            objects.add(new SecretBuilder()
                    .withNewMetadata().withName(envSecretName(layer.name())).withNamespace(namespace).withLabels(labels).endMetadata()
                    .withType("Opaque").withData(ownSecretData).build());
        }
        if (!layer.ports().isEmpty()) {
            List<ServicePort> ports = layer.ports().stream().map(p -> new ServicePortBuilder().withName(p.name())
                    .withPort(p.port()).withTargetPort(new IntOrString(p.name())).withProtocol("TCP").build()).toList();
            objects.add(new ServiceBuilder()
                    .withNewMetadata().withName(layer.name()).withNamespace(namespace).withLabels(labels).endMetadata()
                    .withNewSpec().withType("ClusterIP").withSelector(selector).withPorts(ports).endSpec()
                    .build());
        }
        ContainerLayer.Volume volume = layer.volume();
        if (volume != null) {
            objects.add(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(volumeClaimName(layer.name())).withNamespace(namespace).withLabels(labels).endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(volume.storageClass())
                    .withNewResources().addToRequests("storage", new Quantity(volume.sizeGiB() + "Gi")).endResources()
                    .endSpec().build());
        }

        Resources res = layer.resources().orElse(DEFAULT_RESOURCES);
        ContainerBuilder container = new ContainerBuilder()
                .withName(layer.name())
                .withImage(layer.image())
                .withCommand(command)
                .withArgs(args)
                .withEnv(allEnv)
                .withNewResources()
                .addToRequests("cpu", new Quantity(res.cpu()))
                .addToRequests("memory", new Quantity(res.memory()))
                .addToLimits("memory", new Quantity(res.memory()))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).endSecurityContext();
        for (ContainerLayer.Port p : layer.ports()) {
            container.addNewPort().withName(p.name()).withContainerPort(p.port()).withProtocol("TCP").endPort();
        }
        if (volume != null) container.addNewVolumeMount().withName("data").withMountPath(volume.mountPath()).endVolumeMount();

        DeploymentBuilder deployment = new DeploymentBuilder()
                .withNewMetadata().withName(layer.name()).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(layer.replicas())
                .withNewSelector().withMatchLabels(selector).endSelector()
                // A ReadWriteOnce volume cannot be attached to old and new pod at once during a rollout.
                .withNewStrategy().withType(volume != null ? "Recreate" : "RollingUpdate").endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withEnableServiceLinks(false)
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(container.build())
                .endSpec()
                .endTemplate()
                .endSpec();
        if (volume != null) {
            deployment.editSpec().editTemplate().editSpec().addNewVolume().withName("data")
                    .withNewPersistentVolumeClaim().withClaimName(volumeClaimName(layer.name())).endPersistentVolumeClaim()
                    .endVolume().endSpec().endTemplate().endSpec();
        }
        Deployment d = deployment.build();
        objects.add(d);
        return new RenderedService(id, layer, namespace, List.copyOf(objects), new LinkedHashMap<>());
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
                    helpers.putIfAbsent(helper, secretRef(helper, out.secretName(), out.secretKey()));
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

    private static EnvVar secretRef(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                .withName(secret).withKey(key).endSecretKeyRef().endValueFrom().build();
    }
}
