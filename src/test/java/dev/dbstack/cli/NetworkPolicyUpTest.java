package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NetworkPolicies through the real client against the sandbox: created with the database, updated in the plan
 * that makes a layer consume it, deleted when the cluster group turns them off.
 */
class NetworkPolicyUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: pg, type: postgresql, storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0
                      env: {PGHOST: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}"}
                    - name: web
                      type: container
                      image: ghcr.io/acme/web:1.0
                      autoEnv: false
                      env: {MODE: plain}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result run(String command, Path dir) {
        List<String> args = new java.util.ArrayList<>(List.of(command, "-C", dir.toString()));
        if (!command.equals("preview")) args.add("--yes");
        return CliTest.run(args.toArray(String[]::new));
    }

    /** The layers whose pods the live policy admits to the database's port. */
    private static List<String> admitted(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            NetworkPolicy p = s.client().network().v1().networkPolicies().inNamespace("a").withName("pg-ingress").get();
            if (p == null) return null;
            return p.getSpec().getIngress().get(1).getFrom().stream().map(NetworkPolicyPeer::getPodSelector)
                    .map(sel -> sel.getMatchLabels().get(Labels.LAYER)).toList();
        }
    }

    @Test
    void aNewConsumerIsAdmittedInThePlanThatWiresItAndTurningItOffDeletesThePolicies(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = run("up", dir);
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("+ create NetworkPolicy a/pg-ingress");
        assertThat(admitted(dir)).containsExactly("api");

        // web starts consuming pg: its env and pg's policy change in one plan, the policy first (pg before web).
        project.edit(TestProject.STACK, "MODE: plain", "PGHOST: \"{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}\"");
        CliTest.Result preview = run("preview", dir);
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).contains("~ update NetworkPolicy a/pg-ingress").contains("~ update Deployment a/web")
                .contains("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.");
        assertThat(preview.out().indexOf("NetworkPolicy a/pg-ingress")).isLessThan(preview.out().indexOf("Deployment a/web"));
        CliTest.Result second = run("up", dir);
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(admitted(dir)).containsExactly("api", "web");
        assertThat(run("preview", dir).out()).contains("No changes.");

        project.edit(TestProject.STACK, "cluster: sandbox}", "cluster: sandbox, networkPolicy: false}");
        CliTest.Result off = run("up", dir);
        assertThat(off.exit()).as(off.out() + off.err()).isZero();
        assertThat(off.out()).contains("- delete NetworkPolicy a/pg-ingress")
                .contains("Plan: 0 to create, 0 to update, 0 to replace, 1 to delete.");
        assertThat(admitted(dir)).isNull();

        project.edit(TestProject.STACK, "networkPolicy: false", "networkPolicy: true");
        CliTest.Result on = run("up", dir);
        assertThat(on.exit()).as(on.out() + on.err()).isZero();
        assertThat(on.out()).contains("+ create NetworkPolicy a/pg-ingress").contains("Plan: 1 to create, 0 to update");
        assertThat(admitted(dir)).containsExactly("api", "web");
    }

    @Test
    void aNetworkPolicyThatIsNotABooleanIsRefusedWithFileLineAndKey(@TempDir Path dir) {
        TestProject.create(dir, STACK.replace("cluster: sandbox}", "cluster: sandbox, networkPolicy: strict}"));
        CliTest.Result r = run("preview", dir);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("stacks/Pulumi.test.yaml:2: config.dbstack:clusterGroups[g].networkPolicy: expected true"
                + " or false, got a string 'strict'").doesNotContain("Exception");
    }
}
