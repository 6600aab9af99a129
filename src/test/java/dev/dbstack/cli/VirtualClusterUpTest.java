package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.VirtualCluster;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Virtual-cluster limits through the real client against the sandbox: quota and defaults applied, updated, enforced by the plan. */
class VirtualClusterUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - name: small
                  cluster: sandbox
                  virtualClusters: {cpu: 2, memory: 2Gi, storage: 6Gi}
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: cache, type: redis, storage: 3}
                    - {name: api, type: container, image: ghcr.io/acme/api:1.0.0, replicas: 2, dependsOn: [cache]}
              dbstack:apps:
                - {name: shop, profile: p, limits: {storage: 4Gi}}
            """;

    private static CliTest.Result run(String command, Path dir) {
        return command.equals("up") ? CliTest.run("up", "-C", dir.toString(), "--yes") : CliTest.run(command, "-C", dir.toString());
    }

    @Test
    void quotaAndDefaultsAreAppliedUpdatedAndAnAppThatOutgrowsThemIsRefused(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result up = run("up", dir);
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("+ create ResourceQuota shop/dbstack-virtual-cluster")
                .contains("+ create LimitRange shop/dbstack-virtual-cluster");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            ResourceQuota quota = s.client().resourceQuotas().inNamespace("shop").withName(VirtualCluster.NAME).get();
            assertThat(quota.getSpec().getHard()).containsEntry("requests.storage", new Quantity("4Gi"))
                    .containsEntry("requests.cpu", new Quantity("2")).containsEntry("persistentvolumeclaims", new Quantity("4"));
            LimitRange defaults = s.client().limitRanges().inNamespace("shop").withName(VirtualCluster.NAME).get();
            assertThat(defaults.getSpec().getLimits().get(0).getDefaultRequest()).containsEntry("cpu", new Quantity("100m"));
        }

        // Growing past the allocation: refused with the numbers, exit 2, nothing applied.
        project.edit(TestProject.STACK, "storage: 3}", "storage: 5}");
        CliTest.Result grow = run("up", dir);
        assertThat(grow.exit()).isEqualTo(2);
        assertThat(grow.err()).contains("app shop does not fit its virtual cluster (namespace shop): storage: its claims add"
                + " up to 5Gi, more than 4Gi (cache: 5Gi)");

        // Raising the app's limit (within the group's) makes it fit: the quota is an update.
        project.edit(TestProject.STACK, "limits: {storage: 4Gi}", "limits: {storage: 6Gi}");
        CliTest.Result preview = run("preview", dir);
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("~ update ResourceQuota shop/dbstack-virtual-cluster");
        assertThat(run("up", dir).exit()).isZero();
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().resourceQuotas().inNamespace("shop").withName(VirtualCluster.NAME).get().getSpec().getHard())
                    .containsEntry("requests.storage", new Quantity("6Gi"));
        }
    }
}
