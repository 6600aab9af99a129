package dev.dbstack.render.hooks;

import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * Elasticsearch: the JVM heap sized from the layer's memory, and the node's {@code vm.max_map_count}
 * for memory-mapped index files, or no memory mapping where privileged pods are not admitted.
 */
public final class ElasticsearchHook implements TypeHook {
    /** What Elastic requires of {@code vm.max_map_count} when index files are memory-mapped. */
    static final long MAX_MAP_COUNT = 262_144;
    /** Below this heap even an empty node spends its time in garbage collection. */
    static final long MIN_HEAP_MIB = 256;
    /** Compressed object pointers end just below 32 GiB; Elastic's own heap sizing stops at 31 GiB too. */
    static final long MAX_HEAP_MIB = 31 * 1024;

    @Override
    public String type() {
        return "elasticsearch";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        Container server = pod.getContainers().get(0);
        String memory = ctx.resources().memory();
        if (memory != null) {
            long heap = heapMiB(MemoryRequest.bytes(memory));
            if (heap < MIN_HEAP_MIB) {
                throw ctx.refuse("resources.memory", "Elasticsearch needs at least 512Mi of memory: half of it is the JVM"
                        + " heap, which needs " + MIN_HEAP_MIB + "m at least, the other half Lucene's file cache and the JVM's"
                        + " own memory; " + memory + " is too little");
            }
            // Xms = Xmx: the heap never grows into memory the container does not have. Half of the memory
            // (the request is also the limit), as Elastic advises: the rest is the file cache Lucene reads through.
            server.getEnv().add(new EnvVarBuilder().withName("ES_JAVA_OPTS")
                    .withValue("-Xms" + heap + "m -Xmx" + heap + "m").build());
        }
        if (Boolean.parseBoolean(ctx.setting("mmap"))) {
            if (!ctx.group().privileged()) {
                throw ctx.refuse("mmap", "Elasticsearch with mmap: true needs a privileged init container to raise the"
                        + " node's vm.max_map_count to " + MAX_MAP_COUNT + ", and cluster group '" + ctx.group().name()
                        + "' does not admit privileged pods (privileged: false); set mmap: false on layer '"
                        + ctx.layer().name() + "' (index files are then read without memory mapping, a little slower)");
            }
            pod.getInitContainers().add(maxMapCount(server));
        } else {
            // Without memory-mapped files the node needs no vm.max_map_count (its bootstrap check skips it).
            server.getEnv().add(new EnvVarBuilder().withName("node.store.allow_mmap").withValue("false").build());
        }
    }

    /** Half of {@code memoryBytes} in MiB, at most {@link #MAX_HEAP_MIB}. */
    static long heapMiB(long memoryBytes) {
        return Math.min(memoryBytes / 2 / MemoryRequest.MIB, MAX_HEAP_MIB);
    }

    /**
     * vm.max_map_count is not namespaced: it is the node's, so only a privileged container can set it. The
     * server's image has a shell (the sysctl binary is not in every one); a higher value is left alone.
     */
    private static Container maxMapCount(Container server) {
        return new ContainerBuilder()
                .withName("max-map-count")
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                .withCommand("sh", "-c", "if [ \"$(cat /proc/sys/vm/max_map_count)\" -lt " + MAX_MAP_COUNT + " ]; then echo "
                        + MAX_MAP_COUNT + " > /proc/sys/vm/max_map_count; fi")
                .withResources(server.getResources())
                .withNewSecurityContext().withPrivileged(true).withRunAsUser(0L).withRunAsGroup(0L).withRunAsNonRoot(false)
                .endSecurityContext()
                .build();
    }
}
