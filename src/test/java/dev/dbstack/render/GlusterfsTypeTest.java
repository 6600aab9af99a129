package dev.dbstack.render;

import static dev.dbstack.render.InfluxdbTypeTest.assertNoSecretsOutsideSecrets;
import static dev.dbstack.render.InfluxdbTypeTest.pod;
import static dev.dbstack.render.InfluxdbTypeTest.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GlusterFS as rendered: the catalog's server shaped by its hook into the privileged, host-network pod upstream needs. */
class GlusterfsTypeTest {
    private static RenderedStack stack;

    @BeforeAll
    static void render(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox, clusterDomain: cluster.example, privileged: true}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: shared, type: glusterfs, storage: 50, volume: media}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1.0
                          env:
                            GLUSTER: "{{.spectro.app.$appDeploymentName.shared.GLUSTERFS_MOUNT_SOURCE}}"
                  dbstack:apps: [{name: a, profile: p}]
                """);
        stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    @Test
    void theHookIsFoundByType() {
        assertThat(Renderer.HOOKS).containsKey("glusterfs");
        assertThat(Renderer.HOOKS.get("glusterfs").type()).isEqualTo("glusterfs");
    }

    @Test
    void theServerRunsPrivilegedWithTheHostsNetworkAndMounts() {
        PodSpec pod = pod(stack, "shared");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("docker.io/gluster/gluster-centos:latest");
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(c.getSecurityContext().getPrivileged()).isTrue();
        // allowPrivilegeEscalation: false beside privileged: true is refused by the API server.
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isNull();
        assertThat(pod.getSecurityContext().getRunAsUser()).isZero();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isFalse();
        assertThat(pod.getSecurityContext().getFsGroup()).isNull();

        Map<String, String> hostPaths = pod.getVolumes().stream().filter(v -> v.getHostPath() != null)
                .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
        assertThat(hostPaths).containsValues("/sys/fs/cgroup", "/dev", "/run/lvm", "/var/log/glusterfs", "/lib/modules");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/var/lib/glusterd");
            assertThat(m.getName()).isEqualTo("data");
            assertThat(m.getSubPath()).isEqualTo("glusterd");
        }).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/sys/fs/cgroup");
            assertThat(m.getReadOnly()).isTrue();
        }).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/bricks"));
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("glusterfs-run");
            assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
        });
        assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("glusterd:24007", "brick:49152");
    }

    @Test
    void theVolumeIsCreatedOnceOnABrickNamedByThePodsStableDnsName() {
        Container c = pod(stack, "shared").getContainers().get(0);
        Map<String, String> env = InfluxdbTypeTest.plainEnv(c);
        assertThat(env).containsEntry("GLUSTER_VOLUME", "media")
                .containsEntry("GLUSTER_BRICK_HOST", "shared-0.shared-headless.a.svc.cluster.example");
        assertThat(String.join(" ", c.getLifecycle().getPostStart().getExec().getCommand()))
                .contains("volume info \"$GLUSTER_VOLUME\"")
                .contains("volume create \"$GLUSTER_VOLUME\" \"$GLUSTER_BRICK_HOST:/bricks/brick\"")
                .endsWith("exit 0");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).contains("kill -s SIGRTMIN+3 1");
        assertThat(String.join(" ", c.getReadinessProbe().getExec().getCommand())).contains("volume status \"$GLUSTER_VOLUME\"");
    }

    @Test
    void outputsForFuseClients() {
        Map<String, OutputValue> out = service(stack, "shared").outputs();
        assertThat(out.keySet()).containsExactly("GLUSTERFSMSTR_SVC", "GLUSTERFSMSTR_SVC_PORT", "GLUSTERFSMSTR_SVC_NAMESPACE",
                "GLUSTERFS_VOLUME", "GLUSTERFS_MOUNT_SOURCE");
        assertThat(out.get("GLUSTERFSMSTR_SVC").value()).isEqualTo("shared.a.svc.cluster.example");
        assertThat(out.get("GLUSTERFSMSTR_SVC_PORT").value()).isEqualTo("24007");
        assertThat(out.get("GLUSTERFS_MOUNT_SOURCE").value()).isEqualTo("shared.a.svc.cluster.example:/media");
        assertNoSecretsOutsideSecrets(stack);
    }
}
