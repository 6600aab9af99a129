package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.Template;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where output references may be written: only a container's env values, command and args. Every
 * other string of a stack file is plain, and a reference (or a stray brace pair) there is a problem
 * on its key, never literal text. A stack file is generated per field, with the reference in that
 * field only.
 */
class TemplatePlacesTest {
    private static final String REF = "{{.spectro.app.$appDeploymentName.db.PASSWORD}}";
    private static final String NOT_HERE = "output references are allowed only in a container's env values, command and args";

    /** The stack file with each {@code <<field>>} replaced by the field's value. */
    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - name: <<group.name>>
                  cluster: <<group.cluster>>
                  clusterDomain: <<group.clusterDomain>>
              dbstack:profiles:
                - name: <<profile.name>>
                  version: <<profile.version>>
                  layers:
                    - name: <<db.name>>
                      type: <<db.type>>
                      version: <<db.version>>
                      storage: 1
                      storageClass: <<db.storageClass>>
                      database: <<db.database>>
                      renamedFrom: <<db.renamedFrom>>
                      resources: {cpu: <<db.cpu>>, memory: <<db.memory>>}
                    - name: api
                      type: container
                      image: <<api.image>>
                      ports: [{name: <<api.portName>>, port: 8080}]
                      dependsOn: [<<api.dependsOn>>]
                      volume: {size: 1, mountPath: <<api.mountPath>>, storageClass: <<api.volumeClass>>}
                      env: {A: "x"}
              dbstack:apps:
                - name: <<app.name>>
                  profile: <<app.profile>>
                  clusterGroup: <<app.clusterGroup>>
                  virtualCluster: <<app.virtualCluster>>
            """;

    /** Each field: its valid value and the key path a problem on it must name. */
    private static final Map<String, String[]> FIELDS = new LinkedHashMap<>();

    static {
        String profile = "config.dbstack:profiles[shop]";
        String db = profile + ".layers[db]";
        String api = profile + ".layers[api]";
        field("group.name", "dev", "config.dbstack:clusterGroups[0].name");
        field("group.cluster", "sandbox", "config.dbstack:clusterGroups[dev].cluster");
        field("group.clusterDomain", "cluster.local", "config.dbstack:clusterGroups[dev].clusterDomain");
        field("profile.name", "shop", "config.dbstack:profiles[0].name");
        field("profile.version", "1.0.0", profile + ".version");
        field("db.name", "db", profile + ".layers[0].name");
        field("db.type", "postgresql", db + ".type");
        field("db.version", "\"16\"", db + ".version");
        field("db.storageClass", "standard", db + ".storageClass");
        field("db.database", "shop", db + ".database");
        field("db.renamedFrom", "pg", db + ".renamedFrom");
        field("db.cpu", "250m", db + ".resources.cpu");
        field("db.memory", "512Mi", db + ".resources.memory");
        field("api.image", "ghcr.io/acme/api:1", api + ".image");
        field("api.portName", "http", api + ".ports[0].name");
        field("api.dependsOn", "db", api + ".dependsOn[0]");
        field("api.mountPath", "/data", api + ".volume.mountPath");
        field("api.volumeClass", "standard", api + ".volume.storageClass");
        field("app.name", "shop", "config.dbstack:apps[0].name");
        field("app.profile", "shop@1.0.0", "config.dbstack:apps[shop].profile");
        field("app.clusterGroup", "dev", "config.dbstack:apps[shop].clusterGroup");
        field("app.virtualCluster", "shop", "config.dbstack:apps[shop].virtualCluster");
    }

    private static void field(String name, String valid, String keyPath) {
        FIELDS.put(name, new String[] {valid, keyPath});
    }

    /** The stack file with {@code values} in their fields and every other field valid. */
    private static String stack(Map<String, String> values) {
        String yaml = STACK;
        for (Map.Entry<String, String[]> f : FIELDS.entrySet()) {
            yaml = yaml.replace("<<" + f.getKey() + ">>", values.getOrDefault(f.getKey(), f.getValue()[0]));
        }
        assertThat(yaml).doesNotContain("<<");
        return yaml;
    }

    private static int lineOf(String yaml, String text) {
        List<String> lines = yaml.lines().toList();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) return i + 1;
        throw new AssertionError(text + " is not in the stack file");
    }

    @Test
    void theStackFileIsValidAsWritten(@TempDir Path dir) {
        assertThat(TestProject.create(dir, stack(Map.of())).graph().services()).hasSize(2);
    }

    static Stream<Arguments> plainFields() {
        List<Arguments> out = new ArrayList<>();
        for (String field : FIELDS.keySet()) {
            String valid = FIELDS.get(field)[0].replace("\"", "");
            out.add(Arguments.of(field, "\"" + REF + "\"", "'{{' at character 1"));
            out.add(Arguments.of(field, "\"" + valid + "-" + REF + "\"", "'{{' at character " + (valid.length() + 2)));
            out.add(Arguments.of(field, "\"" + valid + "}}\"", "'}}' at character " + (valid.length() + 1)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("plainFields")
    void aReferenceInAPlainStringIsAProblemOnItsKey(String field, String value, String where, @TempDir Path dir) {
        String yaml = stack(Map.of(field, value));
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> TestProject.create(dir, yaml).model());

        assertThat(e).as("%s must be refused", field).isNotNull();
        String expected = "stacks/Pulumi.test.yaml:" + lineOf(yaml, value) + ": " + FIELDS.get(field)[1] + ": " + NOT_HERE
                + "; this value has " + where;
        List<String> rendered = e.problems().stream().map(Problem::render).toList();
        assertThat(rendered).contains(expected);
        // the value is refused, not also checked as a name, a version or a quantity
        assertThat(e.problems()).filteredOn(p -> p.key().equals(FIELDS.get(field)[1])).hasSize(1);
    }

    @Test
    void everyMisplacedReferenceOfAFileIsReportedInOneRun(@TempDir Path dir) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String field : List.of("group.clusterDomain", "db.storageClass", "db.database", "db.cpu", "api.image",
                "api.mountPath", "api.volumeClass", "app.virtualCluster")) {
            values.put(field, "\"" + REF + "\"");
        }
        String yaml = stack(values).replace("env: {A: \"x\"}", """
                env: {A: "{{.spectro.app.$appDeploymentName.db.PASSWORD", B: "}}", C: "%s"}
                          command: ["{{.spectro.app.{{x}}.db.PASSWORD}}"]
                          args: [ok, "%s", "{{ .Values.x }}"]""".formatted(REF, REF));
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> TestProject.create(dir, yaml).model());

        assertThat(e).isNotNull();
        String api = "config.dbstack:profiles[shop].layers[api]";
        assertThat(e.problems()).extracting(Problem::key).containsExactlyInAnyOrder(
                "config.dbstack:clusterGroups[dev].clusterDomain",
                "config.dbstack:profiles[shop].layers[db].storageClass",
                "config.dbstack:profiles[shop].layers[db].database",
                "config.dbstack:profiles[shop].layers[db].resources.cpu",
                api + ".image", api + ".volume.mountPath", api + ".volume.storageClass",
                "config.dbstack:apps[shop].virtualCluster",
                api + ".env.A", api + ".env.B", api + ".command[0]", api + ".args[2]");
        int envLine = lineOf(yaml, "env: {A:");
        assertThat(e.problems().stream().map(Problem::render)).contains(
                "stacks/Pulumi.test.yaml:" + envLine + ": " + api + ".env.A: unclosed '{{' at character 1;"
                        + " expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}",
                "stacks/Pulumi.test.yaml:" + envLine + ": " + api + ".env.B: '}}' at character 1 closes no '{{';"
                        + " if the braces are meant as text (JSON, say), put a space between them",
                "stacks/Pulumi.test.yaml:" + (envLine + 1) + ": " + api + ".command[0]: '{{' at character 16 is inside the"
                        + " reference opened at character 1, which is not closed before it; references cannot be nested",
                "stacks/Pulumi.test.yaml:" + (envLine + 2) + ": " + api + ".args[2]: '{{ .Values.x }}' is not an output"
                        + " reference; expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}");
    }

    @Test
    void aReferenceSplitByAYamlBlockOrFoldedValueIsAProblem(@TempDir Path dir) {
        String yaml = stack(Map.of()).replace("env: {A: \"x\"}", """
                env:
                            LITERAL: |
                              postgres://{{.spectro.app.$appDeploymentName.db.
                              POSTGRESMSTR_SVC}}:5432
                            FOLDED: >
                              {{.spectro.app.$appDeploymentName.db.
                              POSTGRESMSTR_SVC}}
                            FINE: |
                              host={{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}
                              port=5432
                          args:
                            - >-
                              --host={{.spectro.app.$appDeploymentName
                              .db.POSTGRESMSTR_SVC}}""");
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> TestProject.create(dir, yaml).model());

        assertThat(e).isNotNull();
        String api = "config.dbstack:profiles[shop].layers[api]";
        assertThat(e.problems()).extracting(Problem::key)
                .containsExactlyInAnyOrder(api + ".env.LITERAL", api + ".env.FOLDED", api + ".args[0]");
        assertThat(e.problems()).filteredOn(p -> p.key().endsWith("LITERAL")).singleElement()
                .extracting(Problem::message).asString()
                .startsWith("a reference must be on one line: the reference opened at character 12 has a line break at character 49");
        assertThat(e.problems()).filteredOn(p -> !p.key().endsWith("LITERAL")).extracting(Problem::message)
                .allSatisfy(m -> assertThat((String) m).startsWith("a reference must be on one line, without spaces inside"));
    }

    @Test
    void commandAndArgsAreTemplatesItemByItem(@TempDir Path dir) {
        String yaml = stack(Map.of()).replace("env: {A: \"x\"}", """
                command: [/bin/app, "--db={{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"]
                          args: [--port, 8080, "u={{.spectro.app.$appDeploymentName.db.USERNAME}} p=%s"]""".formatted(REF));
        ContainerLayer api = (ContainerLayer) TestProject.create(dir, yaml).model().profiles().get(0).layer("api").orElseThrow();

        assertThat(api.command()).extracting(a -> a.template().raw())
                .containsExactly("/bin/app", "--db={{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}");
        assertThat(api.args()).extracting(a -> a.template().raw()).containsExactly("--port", "8080",
                "u={{.spectro.app.$appDeploymentName.db.USERNAME}} p=" + REF);
        assertThat(api.args().get(2).template().references()).extracting(Template.Reference::variable)
                .containsExactly("USERNAME", "PASSWORD");
        assertThat(api.references()).extracting(r -> r.key() + " " + r.reference().variable())
                .containsExactly("command[1] POSTGRESMSTR_SVC", "args[2] USERNAME", "args[2] PASSWORD");
        assertThat(api.args().get(2).source().line()).isEqualTo(lineOf(yaml, "args:"));
    }
}
