package dev.dbstack.render.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an Elasticsearch layer renders to: the catalog file's objects and what {@link ElasticsearchHook} adds. */
class ElasticsearchRenderTest {
    /** A stack file of one Elasticsearch layer with {@code extra} keys, in a group that admits privileged pods or not. */
    static String stack(String extra, boolean privileged) {
        return """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox, privileged: %s}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: search, type: elasticsearch, storage: 5%s}
                  dbstack:apps:
                    - {name: a, profile: p}
                """.formatted(privileged, extra);
    }

    private static LayerRender render(Path dir, String extra) {
        return render(dir, extra, true);
    }

    private static LayerRender render(Path dir, String extra, boolean privileged) {
        return LayerRender.of(TestProject.create(dir, stack(extra, privileged)), new FixedCredentials(), "a", "search");
    }

    @Test
    void aSingleSecuredNodeWithHttpAndTransportPorts(@TempDir Path dir) {
        LayerRender es = render(dir, "");
        assertThat(es.service().objects()).extracting(o -> o.getKind() + " " + o.getMetadata().getName()).containsExactly(
                "Secret search-credentials", "Service search-headless", "Service search", "Service elasticsearch", "NetworkPolicy search-ingress",
                "StatefulSet search");
        assertThat(es.object(Service.class).getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly("http:9200", "transport:9300");
        Container server = es.server();
        assertThat(server.getImage()).as("Elastic publishes no family tags: 9.5 runs a pinned release")
                .isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:9.5.2");
        assertThat(es.env()).containsEntry("discovery.type", "single-node").containsEntry("xpack.security.enabled", "true")
                .containsEntry("xpack.security.http.ssl.enabled", "false");
        EnvVar password = server.getEnv().stream().filter(e -> e.getName().equals("ELASTIC_PASSWORD")).findFirst().orElseThrow();
        assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("search-credentials");
        assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("PASSWORD");
        assertThat(server.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/usr/share/elasticsearch/data");

        var pod = es.pod().getSecurityContext();
        assertThat(List.of(pod.getRunAsUser(), pod.getRunAsGroup(), pod.getFsGroup())).containsExactly(1000L, 0L, 1000L);
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(es.statefulSet().getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void readinessAsksForClusterHealthWithThePasswordOffTheCommandLine(@TempDir Path dir) {
        Container server = render(dir, "").server();
        String script = String.join(" ", server.getReadinessProbe().getExec().getCommand());
        assertThat(script).contains("_cluster/health?wait_for_status=yellow").contains("curl -fsS").contains("-K -")
                .contains("\"$ELASTIC_PASSWORD\"").doesNotContain("-u ");
        assertThat(server.getLivenessProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void aFullVersionIsItsOwnTag(@TempDir Path dir) {
        assertThat(render(dir, ", version: \"9.4.1\"").server().getImage())
                .isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:9.4.1");
    }

    @Test
    void mmapRaisesTheNodesMapCountInAPrivilegedInitContainer(@TempDir Path dir) {
        LayerRender es = render(dir, "");
        assertThat(es.pod().getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo("max-map-count");
            assertThat(init.getSecurityContext().getPrivileged()).isTrue();
            assertThat(init.getSecurityContext().getRunAsUser()).isZero();
            assertThat(init.getSecurityContext().getRunAsNonRoot()).isFalse();
            assertThat(init.getImage()).isEqualTo(es.server().getImage());
            assertThat(String.join(" ", init.getCommand())).contains("/proc/sys/vm/max_map_count").contains("-lt 262144")
                    .contains("echo 262144");
        });
        assertThat(es.env()).doesNotContainKey("node.store.allow_mmap");
        assertThat(es.server().getSecurityContext().getPrivileged()).isNull();
    }

    @Test
    void withoutMmapNothingIsPrivilegedAndTheStoreMapsNothing(@TempDir Path dir) {
        LayerRender es = render(dir, ", mmap: false", false);
        assertThat(es.pod().getInitContainers()).isEmpty();
        assertThat(es.env()).containsEntry("node.store.allow_mmap", "false");
        assertThat(es.specsYaml()).doesNotContain("privileged");
    }

    @Test
    void mmapWhereNoPrivilegedPodIsAdmittedIsRefusedWithTheWayOut(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, stack("", false));
        UserInputException e = catchThrowableOfType(UserInputException.class,
                () -> LayerRender.of(project, new FixedCredentials(), "a", "search"));
        assertThat(e.problems()).extracting(Problem::render).singleElement().asString()
                .startsWith("stacks/Pulumi.test.yaml:7: config.dbstack:profiles[p].layers[search].mmap: Elasticsearch with"
                        + " mmap: true needs a privileged init container to raise the node's vm.max_map_count to 262144,")
                .contains("cluster group 'g' does not admit privileged pods (privileged: false); set mmap: false on layer 'search'");
    }

    @ParameterizedTest(name = "{0} → {1}m")
    @CsvSource({"2Gi, 1024", "1536Mi, 768", "2G, 953", "1e9, 476", "1.5Gi, 768", "3000000Ki, 1464", "512Mi, 256",
            "64Gi, 31744", "1Ti, 31744"})
    void theHeapIsHalfTheMemoryAtMost31GiB(String memory, long heapMiB, @TempDir Path dir) {
        LayerRender es = render(dir, ", resources: {memory: " + memory + "}");
        assertThat(es.env()).containsEntry("ES_JAVA_OPTS", "-Xms" + heapMiB + "m -Xmx" + heapMiB + "m");
        assertThat(es.server().getResources().getLimits().get("memory").toString()).isEqualTo(memory);
    }

    @Test
    void theDefaultMemoryGivesAGigabyteOfHeap(@TempDir Path dir) {
        assertThat(render(dir, "").env()).containsEntry("ES_JAVA_OPTS", "-Xms1024m -Xmx1024m");
    }

    @Test
    void tooLittleMemoryForAHeapIsRefused(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, stack(", resources: {memory: 511Mi}", true));
        UserInputException e = catchThrowableOfType(UserInputException.class,
                () -> LayerRender.of(project, new FixedCredentials(), "a", "search"));
        assertThat(e.problems()).extracting(Problem::render).singleElement().asString()
                .contains("config.dbstack:profiles[p].layers[search].resources.memory: Elasticsearch needs at least 512Mi")
                .contains("511Mi is too little");
    }

    @Test
    void outputsUsePaletteNamesAndTheUriPercentEncodesThePassword(@TempDir Path dir) {
        LayerRender es = render(dir, "");
        assertThat(es.service().outputs().keySet()).containsExactly("USERNAME", "PASSWORD", "ELASTICSEARCHMSTR_SVC",
                "ELASTICSEARCHMSTR_SVC_PORT", "ELASTICSEARCHMSTR_SVC_NAMESPACE", "ELASTICSEARCH_URL", "ELASTICSEARCH_URI");
        assertThat(es.service().outputs().get("USERNAME").value()).isEqualTo("elastic");
        assertThat(es.service().outputs().get("ELASTICSEARCHMSTR_SVC").value()).isEqualTo("search.a.svc.cluster.local");
        assertThat(es.service().outputs().get("ELASTICSEARCHMSTR_SVC_PORT").value()).isEqualTo("9200");
        assertThat(es.service().outputs().get("ELASTICSEARCHMSTR_SVC_NAMESPACE").value()).isEqualTo("a");
        assertThat(es.service().outputs().get("ELASTICSEARCH_URL").value()).isEqualTo("http://search.a.svc.cluster.local:9200");
        assertThat(es.service().outputs().get("PASSWORD").isSecret()).isTrue();
        assertThat(es.service().outputs().get("ELASTICSEARCH_URI").isSecret()).isTrue();
        assertThat(es.secret("ELASTICSEARCH_URI"))
                .isEqualTo("http://elastic:search-password-s3cr3t%2F%26%3F@search.a.svc.cluster.local:9200");
        assertThat(es.secret("PASSWORD")).isEqualTo("search-password-s3cr3t/&?");
    }

    @Test
    void thePasswordIsNeverTextInASpec(@TempDir Path dir) {
        assertThat(render(dir, "").specsYaml()).doesNotContain("s3cr3t");
    }
}
