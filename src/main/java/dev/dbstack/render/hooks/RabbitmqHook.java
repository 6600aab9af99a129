package dev.dbstack.render.hooks;

import dev.dbstack.render.Renderer;
import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * RabbitMQ: a node name that stays the same across restarts, the Erlang cookie as a file only its
 * owner may read, and the memory the node may plan with. The cookie follows RabbitMQ's cluster
 * operator: a Secret volume cannot give a file mode 0400 owned by the rabbitmq user (with an
 * {@code fsGroup} the kubelet makes it group-readable, and Erlang refuses a cookie anyone but its
 * owner can read), so an init container copies it into {@code HOME}, an emptyDir, and sets its mode.
 *
 * <p>With {@code replicas > 1} the pods form one cluster by classic config peer discovery (no RBAC, unlike the
 * Kubernetes backend), pod 0 the first; see {@link #clusterConfig}.
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
    /** The image reads every file of /etc/rabbitmq/conf.d after rabbitmq.conf; its own defaults are 10- and 20-. */
    static final String CONF_D = "/etc/rabbitmq/conf.d";
    static final String CLUSTER_FILE = "50-dbstack-cluster.conf";
    static final String CLUSTER_VOLUME = "cluster-config";

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

        pod.getInitContainers().add(OwnerOnlyFile.copy("erlang-cookie", server, COOKIE_VOLUME, COOKIE_SECRET_DIR, COOKIE_FILE,
                HOME_VOLUME, HOME, COOKIE_FILE));

        if (ctx.layer().replicas() > 1) {
            cluster(ctx, pod, server);
        }
    }

    /** The ConfigMap of a cluster's peer discovery: only for {@code replicas > 1}, so a single node renders as before. */
    @Override
    public List<HasMetadata> extraObjects(Context ctx) {
        if (ctx.layer().replicas() <= 1) return List.of();
        return List.of(new ConfigMapBuilder()
                .withNewMetadata().withName(clusterConfigName(ctx.dataName())).withNamespace(ctx.namespace())
                .withLabels(ctx.labels()).endMetadata()
                .withData(java.util.Map.of(CLUSTER_FILE, clusterConfig(ctx)))
                .build());
    }

    static String clusterConfigName(String dataName) {
        return dataName + "-cluster";
    }

    /** Pod {@code ordinal}'s node name, as {@code RABBITMQ_NODENAME} makes it. */
    static String nodeName(Context ctx, int ordinal) {
        return "rabbit@" + ctx.dataName() + "-" + ordinal + "." + Renderer.headlessService(ctx.dataName()) + "." + ctx.namespace();
    }

    /**
     * Every pod's node, as RabbitMQ's guide lists a cluster's members. Peer discovery runs only on a node's first boot,
     * on a blank database (RabbitMQ's cluster formation guide), so a node with data never reads the list: pod 0 of a
     * single node scaled up keeps its database, and the new pods join it. A blank node queries the listed nodes it
     * reaches and joins the one with the largest cluster, the oldest among equals (rabbit_peer_discovery:
     * sort_nodes_and_props); since 4.0 only once it reaches two of them, itself included, else it retries (30 times,
     * a second apart) and then boots standalone. With OrderedReady: pod 0 of a new cluster reaches only itself and,
     * after those retries, starts the cluster; every later pod reaches pod 0's cluster and joins it. More replicas
     * change this file only: the pod template names the ConfigMap, so no node restarts, and each new pod mounts the
     * new list when it is created. No {@code cluster_partition_handling}: RabbitMQ's default, because
     * {@code pause_minority} would stop a two-node cluster when either node fails.
     */
    static String clusterConfig(Context ctx) {
        StringBuilder conf = new StringBuilder("# dbstack: the " + ctx.layer().replicas() + " pods of layer "
                + ctx.layer().name() + " form one cluster.\n"
                + "cluster_formation.peer_discovery_backend = classic_config\n");
        for (int i = 0; i < ctx.layer().replicas(); i++) {
            conf.append("cluster_formation.classic_config.nodes.").append(i + 1).append(" = ").append(nodeName(ctx, i)).append('\n');
        }
        return conf.toString();
    }

    private static void cluster(Context ctx, PodSpec pod, Container server) {
        pod.getVolumes().add(new VolumeBuilder().withName(CLUSTER_VOLUME).withNewConfigMap()
                .withName(clusterConfigName(ctx.dataName())).endConfigMap().build());
        // OrderedReady creates pod k only once pod k-1 is ready, and after the whole cluster stopped a node with data
        // waits for its peers before it finishes booting: a probe that needs a booted node (check_port_connectivity)
        // would hold back the very peers pod 0 waits for. RabbitMQ's clustering guide ("Restarts and Health Checks")
        // names ping as the check that passes while a node waits for its peers: the runtime is up.
        server.getReadinessProbe().getExec().setCommand(List.of("rabbitmq-diagnostics", "-q", "ping"));

        // One file into the image's conf.d, whose own files stay.
        server.getVolumeMounts().add(new VolumeMountBuilder().withName(CLUSTER_VOLUME).withMountPath(CONF_D + "/" + CLUSTER_FILE)
                .withSubPath(CLUSTER_FILE).withReadOnly(true).build());

        // A blank node that reaches no cluster boots standalone ("proceeding as a standalone node"), ready and alone
        // for good: a split the Services would hide. So a blank pod other than pod 0 starts only once pod 0's node
        // runs. A node with data (its database directory mnesia/<node name> exists) rejoins by itself: no wait.
        String data = server.getVolumeMounts().stream().filter(m -> ctx.component().storage().mountPath().equals(m.getMountPath()))
                .map(VolumeMount::getName).findFirst().orElseThrow();
        List<EnvVar> env = new ArrayList<>();
        for (EnvVar e : server.getEnv()) {
            if (List.of("POD_NAME", "RABBITMQ_USE_LONGNAME", "RABBITMQ_NODENAME").contains(e.getName())) env.add(e);
        }
        String seed = nodeName(ctx, 0);
        pod.getInitContainers().add(new ContainerBuilder()
                .withName("wait-for-seed")
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                .withCommand("sh", "-c", "if [ \"${POD_NAME##*-}\" = 0 ] || [ -d \"" + ctx.component().storage().mountPath()
                        + "/$RABBITMQ_NODENAME\" ]; then exit 0; fi; until rabbitmq-diagnostics -q -n " + seed
                        + " check_running; do echo \"waiting for " + seed + " to run: a blank node joins its cluster\"; sleep 5;"
                        + " done")
                .withEnv(env)
                .withResources(server.getResources())
                .withVolumeMounts(
                        new VolumeMountBuilder().withName(HOME_VOLUME).withMountPath(HOME).build(),
                        new VolumeMountBuilder().withName(data).withMountPath(ctx.component().storage().mountPath())
                                .withReadOnly(true).build())
                .withSecurityContext(server.getSecurityContext())
                .build());
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
