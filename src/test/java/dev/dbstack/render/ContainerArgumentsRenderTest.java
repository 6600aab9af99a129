package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output references in a container's {@code command} and {@code args}: plain outputs inlined, secret
 * outputs through a helper variable the kubelet expands from a {@code secretKeyRef}, and the rest of
 * such an item escaped so the container sees exactly what the user wrote. The kubelet's expansion is
 * simulated here to check that last part on many spellings of {@code $}.
 */
class ContainerArgumentsRenderTest {
    private static final String PASSWORD = "{{.spectro.app.$appDeploymentName.db.PASSWORD}}";
    private static final String HOST = "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}";
    private static final String HOST_VALUE = "db.shop.svc.cluster.local";
    /** FixedCredentials' password for layer db. */
    private static final String SECRET = "db-password-s3cr3t/&?";

    private static String stack(String container) {
        return """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: db, type: postgresql, version: "17", storage: 1}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1
                          autoEnv: false
                %s
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(container.indent(10).stripTrailing());
    }

    private static RenderedStack render(Path dir, String container) {
        TestProject project = TestProject.create(dir, stack(container));
        ServiceGraph graph = project.graph();
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "plaintext-of-" + env.name()).render(graph);
    }

    private static Deployment deployment(RenderedStack stack) {
        return stack.service(new ServiceId("shop", "api")).objects().stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).findFirst().orElseThrow();
    }

    private static Container container(RenderedStack stack) {
        return deployment(stack).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void plainOutputsAreInlinedAndSecretOnesAreHelperVariables(@TempDir Path dir) {
        RenderedStack stack = render(dir, """
                command: ["/bin/sh", "-c", "exec app --host=%s --password=%s --pid=$$ --at=$(date)"]
                args: ["%s", "--host=%s", "--port=$(PORT)", "$HOME/x", 8080]
                env:
                  PORT: "8080"
                  DSN: "host=%s password=%s"
                """.formatted(HOST, PASSWORD, PASSWORD, HOST, HOST, PASSWORD));
        Container c = container(stack);

        assertThat(c.getCommand()).containsExactly("/bin/sh", "-c",
                "exec app --host=" + HOST_VALUE + " --password=$(DBSTACK_DB_PASSWORD) --pid=$$$ --at=$$(date)");
        // items without a secret output are written as the user wrote them, Kubernetes' $(VAR) included
        assertThat(c.getArgs()).containsExactly("$(DBSTACK_DB_PASSWORD)", "--host=" + HOST_VALUE, "--port=$(PORT)",
                "$HOME/x", "8080");
        // one helper for every use of the secret, before the variables that use it, from the credentials Secret
        assertThat(c.getEnv()).extracting(EnvVar::getName).containsExactly("DBSTACK_DB_PASSWORD", "PORT", "DSN");
        EnvVar helper = c.getEnv().get(0);
        assertThat(helper.getValue()).isNull();
        assertThat(helper.getValueFrom().getSecretKeyRef().getName()).isEqualTo("db-credentials");
        assertThat(helper.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("PASSWORD");

        // the secret is in the credentials Secret and nowhere else
        for (HasMetadata o : stack.allObjects()) {
            String yaml = Manifests.toYaml(o);
            if (o instanceof Secret s && s.getMetadata().getName().equals("db-credentials")) {
                assertThat(new String(Base64.getDecoder().decode(s.getData().get("PASSWORD")), StandardCharsets.UTF_8))
                        .isEqualTo(SECRET);
            } else {
                assertThat(yaml).as("%s %s", o.getKind(), o.getMetadata().getName()).doesNotContain("s3cr3t");
            }
        }
        // the graph knows the command and args consume db
        assertThat(stack.graph().providersOf(new ServiceId("shop", "api"))).singleElement()
                .satisfies(d -> assertThat(d.variables()).containsExactlyInAnyOrder("PASSWORD", "POSTGRESMSTR_SVC"));
        KubernetesSchema schema = KubernetesSchema.load();
        assertThat(schema.validate(deployment(stack))).isEmpty();
    }

    @Test
    void aReferenceOnlyInArgsIsADependency(@TempDir Path dir) {
        RenderedStack stack = render(dir, "args: [\"--password=" + PASSWORD + "\"]");
        assertThat(stack.graph().waves()).hasSize(2);
        assertThat(container(stack).getArgs()).containsExactly("--password=$(DBSTACK_DB_PASSWORD)");
        assertThat(container(stack).getEnv()).extracting(EnvVar::getName).containsExactly("DBSTACK_DB_PASSWORD");
    }

    /** After the kubelet's expansion, an item with a secret output is the user's text with the values in place. */
    @Test
    void theKubeletExpandsOnlyTheHelperWhateverDollarsTheTextHolds(@TempDir Path dir) {
        List<String> texts = new ArrayList<>();
        for (String a : List.of("", "$", "$$", "$$$", "$(", "$$(", "$(PORT)", "$$(PORT)", "$(date", "x)", "$x", "a$")) {
            for (String b : List.of("", "$", "$(", ")", "$$", "$(PORT)", " $")) {
                texts.add(a + PASSWORD + b);
                texts.add(a + HOST + b + PASSWORD);
            }
        }
        StringBuilder args = new StringBuilder("args:\n");
        for (String t : texts) args.append("  - '").append(t).append("'\n");
        Container c = container(render(dir, args + "env: {PORT: \"8080\"}"));

        Map<String, String> env = new HashMap<>(Map.of("DBSTACK_DB_PASSWORD", SECRET, "PORT", "8080"));
        assertThat(c.getArgs()).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String wanted = texts.get(i).replace(PASSWORD, SECRET).replace(HOST, HOST_VALUE);
            assertThat(kubeletExpand(c.getArgs().get(i), env)).as("rendered %s from %s", c.getArgs().get(i), texts.get(i))
                    .isEqualTo(wanted);
        }
    }

    /** The same for an env value that mixes text and a secret output. */
    @Test
    void compositeEnvValuesAreEscapedTheSameWay(@TempDir Path dir) {
        Container c = container(render(dir, "env: {DSN: 'p=$(x)$$" + PASSWORD + "$'}"));
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("DSN")).singleElement()
                .satisfies(e -> assertThat(kubeletExpand(e.getValue(), Map.of("DBSTACK_DB_PASSWORD", SECRET, "x", "X")))
                        .isEqualTo("p=$(x)$$" + SECRET + "$"));
    }

    /**
     * Kubernetes' {@code $(VAR)} expansion of command, args and env values
     * (k8s.io/kubernetes third_party/forked/golang/expansion): {@code $$} is one {@code $}, {@code $(NAME)}
     * is the variable's value or stays as written when there is no such variable.
     */
    static String kubeletExpand(String input, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) != '$' || cursor + 1 >= input.length()) continue;
            out.append(input, checkpoint, cursor);
            char next = input.charAt(cursor + 1);
            int advance = 1;
            if (next == '$') {
                out.append('$');
            } else if (next == '(') {
                int close = input.indexOf(')', cursor + 2);
                if (close < 0) {
                    out.append("$(");
                } else {
                    String name = input.substring(cursor + 2, close);
                    out.append(env.containsKey(name) ? env.get(name) : "$(" + name + ")");
                    advance = close - cursor;
                }
            } else {
                out.append('$').append(next);
            }
            cursor += advance;
            checkpoint = cursor + 1;
        }
        return out.append(input.substring(checkpoint)).toString();
    }

    @Test
    void theSimulatedExpansionBehavesLikeTheKubelet() {
        Map<String, String> env = Map.of("A", "a");
        assertThat(kubeletExpand("$(A)", env)).isEqualTo("a");
        assertThat(kubeletExpand("$$(A)", env)).isEqualTo("$(A)");
        assertThat(kubeletExpand("$$$(A)", env)).isEqualTo("$a");
        assertThat(kubeletExpand("$(B)", env)).isEqualTo("$(B)");
        assertThat(kubeletExpand("$(A", env)).isEqualTo("$(A");
        assertThat(kubeletExpand("$x$", env)).isEqualTo("$x$");
        assertThat(kubeletExpand("$$", env)).isEqualTo("$");
    }
}
