package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.TestProject;
import dev.dbstack.testing.VeleroCrds;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan-time Velero check reads exactly two objects per cluster with a backed-up app, and nothing otherwise. */
class VeleroCheckTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - {name: a, cluster: sandbox, diskBackup: %s}
                - {name: b, cluster: sandbox, diskBackup: %s}
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: cache, type: redis, storage: 1}
              dbstack:apps:
                - {name: one, profile: p, clusterGroup: a}
                - {name: two, profile: p, clusterGroup: b}
            """;

    @Test
    void twoGetsWithBackupOnNoneWithout(@TempDir Path dir) {
        try (Sandbox s = Sandbox.start()) {
            VeleroCrds.installWithDefaultLocation(s.client());
            long before = s.readRequests();
            VeleroCheck.refuseUnready(s.client(), TestProject.create(dir, STACK.formatted("false", "false")).model());
            assertThat(s.readRequests() - before).isZero();

            before = s.readRequests();
            VeleroCheck.refuseUnready(s.client(), TestProject.create(dir, STACK.formatted("true", "{schedule: '@daily'}")).model());
            assertThat(s.readRequests() - before).as("the CRD and the one location both groups name").isEqualTo(2);
            assertThat(s.writeRequests()).isPositive(); // the install only: the check writes nothing

            // Per cluster of a stack on several: only the apps on the cluster named are checked, through its client.
            before = s.readRequests();
            VeleroCheck.refuseUnready(s.client(), TestProject.create(dir, STACK.formatted("true", "true")).model(), "elsewhere");
            assertThat(s.readRequests() - before).isZero();
            VeleroCheck.refuseUnready(s.client(), TestProject.create(dir, STACK.formatted("true", "true")).model(), "sandbox");
            assertThat(s.readRequests() - before).isEqualTo(2);
        }
    }

    @Test
    void withoutTheCrdEveryBackedUpGroupIsNamed(@TempDir Path dir) {
        try (Sandbox s = Sandbox.start()) {
            UserInputException e = catchThrowableOfType(UserInputException.class, () -> VeleroCheck.refuseUnready(s.client(),
                    TestProject.create(dir, STACK.formatted("true", "true")).model()));
            assertThat(e.problems()).extracting(Problem::key).containsExactly("config.dbstack:clusterGroups[a].diskBackup",
                    "config.dbstack:clusterGroups[b].diskBackup");
            assertThat(e.problems().get(0).render()).isEqualTo("stacks/Pulumi.test.yaml:3: config.dbstack:clusterGroups[a]"
                    + ".diskBackup: Velero is not installed on cluster 'sandbox' (no CustomResourceDefinition schedules.velero.io):"
                    + " install Velero (velero install, or its Helm chart), or set diskBackup: false");
        }
    }
}
