package dev.dbstack.render.hooks;

import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LifecycleBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;

/**
 * GlusterFS server pods as the upstream image needs them (gluster/gluster-containers, the daemonset of
 * gluster-kubernetes): privileged, with the host's network (clients reach the brick at the node's
 * address), systemd as PID 1 with the host's cgroups and a /run of its own, the host's devices, LVM
 * run directory, kernel modules and log directory. glusterd's state lives on the layer's claim next to
 * the brick, so that the volume's definition moves with its data. The volume itself is created once,
 * by a postStart hook that waits for glusterd; the catalog's readiness probe waits for its brick.
 */
public final class GlusterfsHook implements TypeHook {
    /** Where the brick lives below the claim's mount: a directory, never the mount point itself. */
    static final String BRICK_DIR = "brick";
    /** The claim's subdirectory that holds /var/lib/glusterd. */
    static final String STATE_SUBPATH = "glusterd";

    /**
     * Waits up to three minutes for glusterd, then creates and starts the volume unless it exists (a
     * started volume restarts by itself with glusterd). Always exits 0: a failure here would kill the
     * container; the readiness probe reports a volume that is not up.
     */
    static String createVolume(String brickRoot) {
        return "for i in $(seq 1 90); do"
                + " if gluster --mode=script volume info \"$GLUSTER_VOLUME\" >/dev/null 2>&1; then"
                + " gluster --mode=script volume start \"$GLUSTER_VOLUME\" force >/dev/null 2>&1; exit 0; fi;"
                + " if systemctl -q is-active glusterd.service; then mkdir -p " + brickRoot + "/" + BRICK_DIR + " &&"
                + " gluster --mode=script volume create \"$GLUSTER_VOLUME\" \"$GLUSTER_BRICK_HOST:" + brickRoot + "/"
                + BRICK_DIR + "\" force && gluster --mode=script volume start \"$GLUSTER_VOLUME\" && exit 0; fi;"
                + " sleep 2; done; exit 0";
    }

    @Override
    public String type() {
        return "glusterfs";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        Container server = pod.getContainers().get(0);
        String brickRoot = ctx.component().storage().mountPath();
        VolumeMount data = server.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(brickRoot))
                .findFirst().orElseThrow();

        pod.setHostNetwork(true);
        // Cluster DNS despite the host's network: the brick is named by the pod's headless-Service name.
        pod.setDnsPolicy("ClusterFirstWithHostNet");
        pod.getSecurityContext().setRunAsNonRoot(false);
        server.setSecurityContext(new SecurityContextBuilder().withPrivileged(true).build());

        // The brick's host is the pod's stable DNS name: it resolves to whichever node the pod runs on,
        // which glusterd takes as itself, and which FUSE clients in the cluster resolve.
        server.getEnv().add(new EnvVarBuilder().withName("GLUSTER_BRICK_HOST").withValue(ctx.podHost(0)).build());
        // The image's entrypoint bind-mounts this over /dev (the host's devices, for bricks on them).
        server.getEnv().add(new EnvVarBuilder().withName("HOST_DEV_DIR").withValue("/mnt/host-dev").build());

        server.getVolumeMounts().add(new VolumeMountBuilder().withName(data.getName()).withMountPath("/var/lib/glusterd")
                .withSubPath(STATE_SUBPATH).build());
        List<String[]> host = List.of(
                new String[] {"glusterfs-cgroup", "/sys/fs/cgroup", "/sys/fs/cgroup", "ro"},
                new String[] {"glusterfs-host-dev", "/dev", "/mnt/host-dev", "rw"},
                new String[] {"glusterfs-lvm", "/run/lvm", "/run/lvm", "rw"},
                new String[] {"glusterfs-logs", "/var/log/glusterfs", "/var/log/glusterfs", "rw"},
                new String[] {"kernel-modules", "/lib/modules", "/lib/modules", "ro"});
        for (String[] h : host) {
            pod.getVolumes().add(hostPath(h[0], h[1]));
            server.getVolumeMounts().add(new VolumeMountBuilder().withName(h[0]).withMountPath(h[2])
                    .withReadOnly(h[3].equals("ro") ? Boolean.TRUE : null).build());
        }
        // systemd as PID 1 wants a /run of its own.
        pod.getVolumes().add(new VolumeBuilder().withName("glusterfs-run").withNewEmptyDir().withMedium("Memory")
                .endEmptyDir().build());
        server.getVolumeMounts().add(new VolumeMountBuilder().withName("glusterfs-run").withMountPath("/run").build());

        server.setLifecycle(new LifecycleBuilder()
                .withNewPostStart().withNewExec().withCommand("/bin/bash", "-c", createVolume(brickRoot)).endExec()
                .endPostStart()
                // systemd halts on SIGRTMIN+3 (it ignores the SIGTERM a pod's deletion sends), stopping glusterd
                // and the brick cleanly.
                .withNewPreStop().withNewExec().withCommand("/bin/bash", "-c", "kill -s SIGRTMIN+3 1").endExec()
                .endPreStop()
                .build());
    }

    private static Volume hostPath(String name, String path) {
        return new VolumeBuilder().withName(name).withNewHostPath().withPath(path).endHostPath().build();
    }
}
