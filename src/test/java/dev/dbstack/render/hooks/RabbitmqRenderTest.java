package dev.dbstack.render.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a RabbitMQ layer renders to: the catalog file's objects and what {@link RabbitmqHook} adds. */
class RabbitmqRenderTest {
    static String stack(String extra) {
        return """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox, privileged: false}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: mq, type: rabbitmq, storage: 2%s}
                  dbstack:apps:
                    - {name: a, profile: p, virtualCluster: shop}
                """.formatted(extra);
    }

    private static LayerRender render(Path dir, String extra) {
        return LayerRender.of(TestProject.create(dir, stack(extra)), new FixedCredentials(), "a", "mq");
    }

    @Test
    void theManagementImageWithAmqpManagementAndPrometheusPorts(@TempDir Path dir) {
        LayerRender mq = render(dir, "");
        assertThat(mq.service().objects()).extracting(o -> o.getKind() + " " + o.getMetadata().getName()).containsExactly(
                "Secret mq-credentials", "Service mq-headless", "Service mq", "Service rabbitmq", "NetworkPolicy mq-ingress",
                "StatefulSet mq");
        assertThat(mq.server().getImage()).isEqualTo("docker.io/library/rabbitmq:4.3-management");
        assertThat(mq.object(Service.class).getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly("amqp:5672", "management:15672", "prometheus:15692");
        assertThat(mq.env()).containsEntry("RABBITMQ_DEFAULT_USER", "app").containsEntry("RABBITMQ_DEFAULT_VHOST", "/");
        EnvVar pass = mq.server().getEnv().stream().filter(e -> e.getName().equals("RABBITMQ_DEFAULT_PASS")).findFirst().orElseThrow();
        assertThat(pass.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("PASSWORD");
        var pod = mq.pod().getSecurityContext();
        assertThat(List.of(pod.getRunAsUser(), pod.getRunAsGroup(), pod.getFsGroup())).containsExactly(999L, 999L, 999L);
        assertThat(mq.specsYaml()).as("nothing privileged: RabbitMQ runs in a group without privileged pods")
                .doesNotContain("privileged");
    }

    @Test
    void aFullVersionKeepsTheManagementVariant(@TempDir Path dir) {
        assertThat(render(dir, ", version: \"4.2.9\"").server().getImage()).isEqualTo("docker.io/library/rabbitmq:4.2.9-management");
    }

    @Test
    void theNodeNameIsThePodsStableNameThroughTheHeadlessService(@TempDir Path dir) {
        LayerRender mq = render(dir, "");
        List<EnvVar> env = mq.server().getEnv();
        assertThat(env.get(0).getName()).as("declared before the variables that use it").isEqualTo("POD_NAME");
        assertThat(env.get(0).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(mq.env()).containsEntry("RABBITMQ_USE_LONGNAME", "true")
                .containsEntry("RABBITMQ_NODENAME", "rabbit@$(POD_NAME).mq-headless.shop");
        assertThat(mq.statefulSet().getSpec().getServiceName()).isEqualTo("mq-headless");
    }

    @Test
    void theNodeIsToldEightyPercentOfItsMemory(@TempDir Path dir) {
        assertThat(render(dir, "").env()).containsEntry("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-rabbit total_memory_available_override_value " + 1024L * 1024 * 1024 / 100 * 80);
        assertThat(render(dir, ", resources: {memory: 2G}").env()).containsEntry("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-rabbit total_memory_available_override_value 1600000000");
    }

    @Test
    void theErlangCookieIsCopiedFromTheSecretIntoAFileOnlyItsOwnerReads(@TempDir Path dir) {
        LayerRender mq = render(dir, "");
        Volume secret = mq.pod().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertThat(secret.getSecret().getSecretName()).isEqualTo("mq-credentials");
        assertThat(secret.getSecret().getItems()).as("only the cookie, not the password")
                .extracting(i -> i.getKey() + " → " + i.getPath()).containsExactly("RABBITMQ_ERLANG_COOKIE → .erlang.cookie");
        Volume home = mq.pod().getVolumes().stream().filter(v -> v.getEmptyDir() != null).findFirst().orElseThrow();

        Container init = mq.pod().getInitContainers().get(0);
        assertThat(mq.pod().getInitContainers()).hasSize(1);
        assertThat(init.getName()).isEqualTo("erlang-cookie");
        assertThat(init.getImage()).isEqualTo(mq.server().getImage());
        assertThat(init.getVolumeMounts()).extracting(m -> m.getName() + " " + m.getMountPath() + " " + m.getReadOnly())
                .containsExactly(secret.getName() + " /tmp/erlang-cookie-secret true", home.getName() + " /var/lib/rabbitmq null");
        assertThat(init.getCommand()).containsExactly("sh", "-c", "rm -f /var/lib/rabbitmq/.erlang.cookie"
                + " && cp /tmp/erlang-cookie-secret/.erlang.cookie /var/lib/rabbitmq/.erlang.cookie"
                + " && chmod 400 /var/lib/rabbitmq/.erlang.cookie");
        assertThat(init.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();

        assertThat(mq.server().getVolumeMounts()).as("HOME first, the data volume inside it; not the Secret")
                .extracting(m -> m.getName() + " " + m.getMountPath())
                .containsExactly(home.getName() + " /var/lib/rabbitmq", "data /var/lib/rabbitmq/mnesia");
        assertThat(mq.server().getEnv()).extracting(EnvVar::getName).doesNotContain("RABBITMQ_ERLANG_COOKIE");
        assertThat(mq.secret("RABBITMQ_ERLANG_COOKIE")).isEqualTo("mq-erlangCookie-s3cr3t/&?");
    }

    @Test
    void noSecretIsTextInASpec(@TempDir Path dir) {
        LayerRender mq = render(dir, "");
        assertThat(mq.specsYaml()).doesNotContain("s3cr3t").doesNotContain("erlangCookie-");
    }

    @Test
    void outputsUsePaletteNamesWithTheManagementPort(@TempDir Path dir) {
        LayerRender mq = render(dir, "");
        assertThat(mq.service().outputs().keySet()).containsExactly("USERNAME", "PASSWORD", "RABBITMQMSTR_SVC",
                "RABBITMQMSTR_SVC_PORT", "RABBITMQMSTR_MANAGEMENT_PORT", "RABBITMQMSTR_SVC_NAMESPACE", "RABBITMQ_VHOST",
                "RABBITMQ_URI", "RABBITMQ_MANAGEMENT_URL", "RABBITMQ_ERLANG_COOKIE");
        var out = mq.service().outputs();
        assertThat(out.get("RABBITMQMSTR_SVC").value()).isEqualTo("mq.shop.svc.cluster.local");
        assertThat(out.get("RABBITMQMSTR_SVC_PORT").value()).isEqualTo("5672");
        assertThat(out.get("RABBITMQMSTR_MANAGEMENT_PORT").value()).isEqualTo("15672");
        assertThat(out.get("RABBITMQ_MANAGEMENT_URL").value()).isEqualTo("http://mq.shop.svc.cluster.local:15672/");
        assertThat(List.of("PASSWORD", "RABBITMQ_URI", "RABBITMQ_ERLANG_COOKIE")).allSatisfy(n ->
                assertThat(out.get(n).isSecret()).as(n).isTrue());
    }

    @Test
    void theUriPercentEncodesTheVhostSlashAsPercent2F(@TempDir Path dir) {
        assertThat(render(dir, "").secret("RABBITMQ_URI"))
                .isEqualTo("amqp://app:mq-password-s3cr3t%2F%26%3F@mq.shop.svc.cluster.local:5672/%2F");
    }

    @Test
    void aVhostAndUserOfTheirOwn(@TempDir Path dir) {
        LayerRender mq = render(dir, ", user: orders.svc, vhost: \"orders/eu west\"");
        assertThat(mq.env()).containsEntry("RABBITMQ_DEFAULT_USER", "orders.svc").containsEntry("RABBITMQ_DEFAULT_VHOST", "orders/eu west");
        assertThat(mq.secret("RABBITMQ_URI"))
                .isEqualTo("amqp://orders.svc:mq-password-s3cr3t%2F%26%3F@mq.shop.svc.cluster.local:5672/orders%2Feu%20west");
        assertThat(mq.service().outputs().get("RABBITMQ_VHOST").value()).isEqualTo("orders/eu west");
    }
}
