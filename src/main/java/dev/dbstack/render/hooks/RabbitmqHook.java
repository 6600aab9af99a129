package dev.dbstack.render.hooks;

import dev.dbstack.render.Renderer;
import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * RabbitMQ: a node name that stays the same across restarts, the Erlang cookie as a file only its
 * owner may read, and the memory the node may plan with. The cookie follows RabbitMQ's cluster
 * operator: a Secret volume cannot give a file mode 0400 owned by the rabbitmq user (with an
 * {@code fsGroup} the kubelet makes it group-readable, and Erlang refuses a cookie anyone but its
 * owner can read), so an init container copies it into {@code HOME}, an emptyDir, and sets its mode.
 */
public final class RabbitmqHook implements TypeHook {
    /** The image's {@code HOME} and {@code RABBITMQ_DATA_DIR}; the data volume is mounted below it at mnesia/. */
    static final String HOME = "/var/lib/rabbitmq";
    static final String HOME_VOLUME = "rabbitmq-home";
    static final String COOKIE_VOLUME = "erlang-cookie";
    static final String COOKIE_SECRET_DIR = "/tmp/erlang-cookie-secret";
    static final String COOKIE_FILE = ".erlang.cookie";
    /** The secret output (a key of the credentials Secret) that holds the cookie. */
    static final String COOKIE_KEY = "RABBITMQ_ERLANG_COOKIE";
    /** The share of the container's memory RabbitMQ is told it has, as the cluster operator does. */
    static final int MEMORY_PERCENT = 80;

    @Override
    public String type() {
        return "rabbitmq";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        Container server = pod.getContainers().get(0);
        List<EnvVar> env = new ArrayList<>();
        // Declared first: the kubelet expands $(POD_NAME) only from variables before it.
        env.add(new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().build());
        env.addAll(server.getEnv());
        // The node keeps its database under its name (mnesia/rabbit@<host>), so the name must not change: the
        // pod's stable DNS name through the headless Service, independent of the cluster domain, as cluster
        // members will need it to reach each other.
        env.add(value("RABBITMQ_USE_LONGNAME", "true"));
        env.add(value("RABBITMQ_NODENAME", "rabbit@$(POD_NAME)." + Renderer.headlessService(ctx.dataName()) + "."
                + ctx.namespace()));
        String memory = ctx.resources().memory();
        if (memory != null) {
            long bytes = MemoryRequest.bytes(memory);
            // The runtime does not always see the container's limit and would plan with the node's memory,
            // so its memory alarm would come after the OOM killer.
            if (bytes < Long.MAX_VALUE) {
                env.add(value("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-rabbit total_memory_available_override_value "
                        + bytes / 100 * MEMORY_PERCENT));
            }
        }
        server.setEnv(env);

        pod.getVolumes().add(new VolumeBuilder().withName(HOME_VOLUME).withNewEmptyDir().endEmptyDir().build());
        // Only the cookie's key, group-readable (0440) so that the init container (the pod's fsGroup) can read it.
        pod.getVolumes().add(new VolumeBuilder().withName(COOKIE_VOLUME).withNewSecret()
                .withSecretName(ctx.credentialsSecret()).withDefaultMode(0440)
                .addNewItem().withKey(COOKIE_KEY).withPath(COOKIE_FILE).endItem()
                .endSecret().build());
        server.getVolumeMounts().add(0, new VolumeMountBuilder().withName(HOME_VOLUME).withMountPath(HOME).build());

        String cookie = HOME + "/" + COOKIE_FILE;
        pod.getInitContainers().add(new ContainerBuilder()
                .withName("erlang-cookie")
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                // rm first: a restarted init container finds its earlier copy, which mode 0400 keeps it from overwriting.
                .withCommand("sh", "-c", "rm -f " + cookie + " && cp " + COOKIE_SECRET_DIR + "/" + COOKIE_FILE + " " + cookie
                        + " && chmod 400 " + cookie)
                .withResources(server.getResources())
                .withVolumeMounts(
                        new VolumeMountBuilder().withName(COOKIE_VOLUME).withMountPath(COOKIE_SECRET_DIR).withReadOnly(true).build(),
                        new VolumeMountBuilder().withName(HOME_VOLUME).withMountPath(HOME).build())
                .withSecurityContext(server.getSecurityContext())
                .build());
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
