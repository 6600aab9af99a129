package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.state.StackState;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dbstack preview --out plan.json` then `dbstack up plan.json`, end to end on the sandbox through the
 * real client: the plan applied exactly, and refused (exit 2, nothing written) when anything it was
 * planned against changed, when it was applied already, or when the file is not one this dbstack wrote
 * for this stack.
 */
class SavedPlanUpTest {
    private static final String STACK = "dev";
    private static final String YAML = """
            config:
              dbstack:clusterGroups:
                - {name: g, cluster: sandbox}
              dbstack:profiles:
                - name: shop
                  layers:
                    - {name: pg, type: postgresql, version: "17", storage: 1}
                    - name: api
                      type: container
                      image: nginx:1.27
                      env:
                        PGPASSWORD: "{{.spectro.app.$appDeploymentName.pg.PASSWORD}}"
              dbstack:apps:
                - {name: shop, profile: shop}
            """;

    private static TestProject project(Path dir) {
        return TestProject.create(dir, STACK, YAML);
    }

    private static CliTest.Result cli(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-C", dir.toString()));
        return CliTest.run(all.toArray(String[]::new));
    }

    private static Path previewOut(Path dir, String... extra) {
        Path plan = dir.resolve("plan.json");
        List<String> args = new ArrayList<>(List.of("preview", "--stack", STACK, "--out", plan.toString()));
        args.addAll(List.of(extra));
        CliTest.Result r = cli(dir, args.toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Saved this plan to " + plan + ". `dbstack up " + plan + "` applies exactly it");
        return plan;
    }

    private static CliTest.Result upPlan(Path dir, Path plan, String... extra) {
        List<String> args = new ArrayList<>(List.of("up", plan.toString(), "--yes"));
        args.addAll(List.of(extra));
        return cli(dir, args.toArray(String[]::new));
    }

    private static CliTest.Result up(Path dir) {
        CliTest.Result r = cli(dir, "up", "--stack", STACK, "--yes");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    /** A refusal: exit 2, one message naming the file, the way back, nothing applied. */
    private static void refused(CliTest.Result r, String message) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContain("Exception").doesNotContain("internal error");
        assertThat(r.out()).doesNotContain("Applied:").doesNotContain("+ create").doesNotContain("~ update");
    }

    private static Sandbox cluster(Path dir) {
        return Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
    }

    /** Every object of the stack's namespace (and the namespace) with its resourceVersion; and state's serial and entries. */
    private static Map<String, String> world(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Sandbox s = cluster(dir)) {
            KubernetesClient c = s.client();
            List<HasMetadata> all = new ArrayList<>();
            all.addAll(c.namespaces().list().getItems());
            all.addAll(c.secrets().inNamespace("shop").list().getItems());
            all.addAll(c.services().inNamespace("shop").list().getItems());
            all.addAll(c.apps().statefulSets().inNamespace("shop").list().getItems());
            all.addAll(c.apps().deployments().inNamespace("shop").list().getItems());
            all.addAll(c.persistentVolumeClaims().inNamespace("shop").list().getItems());
            all.addAll(c.pods().inNamespace("shop").list().getItems());
            for (HasMetadata o : all) {
                out.put(o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(),
                        o.getMetadata().getResourceVersion());
            }
        }
        StackState state = StackState.open(StackState.directory(dir, STACK));
        out.put("state serial", String.valueOf(state.serial()));
        out.put("state objects", state.objects().keySet().toString());
        out.put("state credentials", state.credentials().toString());
        return out;
    }

    private static String image(Path dir) {
        try (Sandbox s = cluster(dir)) {
            return s.client().apps().deployments().inNamespace("shop").withName("api").get().getSpec().getTemplate().getSpec()
                    .getContainers().get(0).getImage();
        }
    }

    @Test
    void aSavedPlanIsAppliedExactlyAndOnlyOnce(@TempDir Path dir) {
        project(dir);
        Path plan = previewOut(dir);
        assertThat(world(dir)).as("preview --out applies nothing").doesNotContainKey("Namespace null/shop");

        CliTest.Result applied = upPlan(dir, plan);
        assertThat(applied.exit()).as(applied.out() + applied.err()).isZero();
        assertThat(applied.out()).contains("Updating stack dev of project test-project with the plan saved in " + plan)
                .contains("+ create StatefulSet shop/pg").contains("Plan: 10 to create").contains("Applied: 2 services succeeded")
                .contains("POSTGRESMSTR_SVC = pg.shop.svc.cluster.local");
        assertThat(image(dir)).isEqualTo("nginx:1.27");

        assertThat(cli(dir, "preview", "--stack", STACK).out()).contains("No changes. The cluster matches stack dev.");
        Map<String, String> before = world(dir);
        CliTest.Result again = upPlan(dir, plan);
        refused(again, "error: " + plan + ": was already applied (at ");
        assertThat(again.err()).contains("a plan is applied once. Run `dbstack preview --stack dev --out " + plan + "` again");
        assertThat(world(dir)).as("nothing written").isEqualTo(before);
        assertThat(up(dir).out()).contains("No changes.");

        // The credentials the preview generated are the ones applied and kept.
        CliTest.Result outputs = cli(dir, "outputs", "--stack", STACK, "--show-secrets");
        assertThat(outputs.out()).contains("    PASSWORD = " + password(dir) + "\n");
    }

    /** The password the cluster's Secret holds, as the database would be initialised with. */
    private static String password(Path dir) {
        try (Sandbox s = cluster(dir)) {
            String data = s.client().secrets().inNamespace("shop").withName("pg-credentials").get().getData().get("PASSWORD");
            return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
        }
    }

    @Test
    void thePlanFileHoldsNoSecretInPlainText(@TempDir Path dir) throws IOException {
        project(dir);
        Path plan = previewOut(dir);
        String text = Files.readString(plan);
        assertThat(upPlan(dir, plan).exit()).isZero();
        String password = password(dir);
        assertThat(password).hasSizeGreaterThan(8);
        assertThat(text).doesNotContain(password)
                .doesNotContain(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)))
                .containsPattern("\"PASSWORD\" : \\{\\s*\"secure\" : \"v1:");
    }

    @Test
    void aPlanIsStaleWhenTheStackFileChanged(@TempDir Path dir) {
        TestProject p = project(dir);
        up(dir);
        p.edit(STACK, "nginx:1.27", "nginx:1.28");
        Path plan = previewOut(dir);
        p.edit(STACK, "nginx:1.28", "nginx:1.29");
        Map<String, String> before = world(dir);

        refused(upPlan(dir, plan), "error: " + plan + ": is stale: stacks/Pulumi.dev.yaml changed since the plan was made."
                + " Run `dbstack preview --stack dev --out " + plan + "` again");
        assertThat(world(dir)).isEqualTo(before);
        assertThat(image(dir)).isEqualTo("nginx:1.27");

        // A component file of the project's own counts too.
        p.edit(STACK, "nginx:1.29", "nginx:1.28");
        Path fresh = previewOut(dir);
        try {
            Files.createDirectories(dir.resolve("components"));
            Files.copy(Path.of("components/redis.yaml"), dir.resolve("components/redis.yaml"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        refused(upPlan(dir, fresh), "is stale: components/redis.yaml changed since the plan was made");
    }

    @Test
    void aPlanIsStaleWhenAnotherUpRanSince(@TempDir Path dir) {
        project(dir);
        Path plan = previewOut(dir);
        up(dir); // applies the same changes: state moves on
        Map<String, String> before = world(dir);
        refused(upPlan(dir, plan), "error: " + plan + ": is stale: the stack's state changed since the plan was made (another"
                + " `dbstack up`, `destroy` or `refresh` ran: state serial ");
        assertThat(world(dir)).isEqualTo(before);
    }

    @Test
    void aPlanIsStaleWhenAnObjectItWasPlannedAgainstChanged(@TempDir Path dir) {
        TestProject p = project(dir);
        up(dir);
        p.edit(STACK, "nginx:1.27", "nginx:1.28");
        Path plan = previewOut(dir);
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) { // someone else, between preview and up
            s.client().apps().deployments().inNamespace("shop").withName("api")
                    .edit(d -> new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).editMetadata()
                            .addToAnnotations("owner", "team-b").endMetadata().build());
        }
        Map<String, String> before = world(dir);
        refused(upPlan(dir, plan), "error: " + plan + ": is stale: Deployment shop/api changed in the cluster since the plan was"
                + " made (resourceVersion ");
        assertThat(world(dir)).isEqualTo(before);
        assertThat(image(dir)).isEqualTo("nginx:1.27");

        // Made again, the plan goes through and keeps their annotation.
        CliTest.Result applied = upPlan(dir, previewOut(dir));
        assertThat(applied.exit()).as(applied.out() + applied.err()).isZero();
        assertThat(applied.out()).contains("~ update Deployment shop/api");
        assertThat(image(dir)).isEqualTo("nginx:1.28");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().deployments().inNamespace("shop").withName("api").get().getMetadata().getAnnotations())
                    .containsEntry("owner", "team-b");
        }
    }

    @Test
    void aFileThatIsNotAWholeUnchangedPlanOfThisStackIsRefused(@TempDir Path dir) throws IOException {
        TestProject.create(dir, "prod", YAML);
        project(dir);
        Path plan = previewOut(dir);
        String text = Files.readString(plan);
        Map<String, String> before = world(dir);

        Map<String, String> cases = new TreeMap<>();
        cases.put("corrupt", "{\"format\": 1, \"kind\": \"dbstack-plan\", \"steps\": [}");
        cases.put("truncated", text.substring(0, text.length() / 3));
        cases.put("edited", text.replace("nginx:1.27", "nginx:1.99"));
        cases.put("newer", text.replace("\"format\" : 1,", "\"format\" : 7,"));
        Map<String, String> messages = Map.of(
                "corrupt", "is not a whole plan file (it is not complete JSON: truncated, or not a plan at all). Run `dbstack"
                        + " preview --out ",
                "truncated", "is not a whole plan file (it is not complete JSON: truncated, or not a plan at all). Run `dbstack"
                        + " preview --out ",
                "edited", "does not match its checksum: it was changed or damaged after `dbstack preview --out` wrote it. Run"
                        + " `dbstack preview --out ",
                "newer", "was written by a newer dbstack (plan format 7; this dbstack reads format 2). Apply it with that dbstack,"
                        + " or make it again with this one: run `dbstack preview --out ");
        for (var c : cases.entrySet()) {
            Path file = dir.resolve(c.getKey() + ".json");
            Files.writeString(file, c.getValue());
            refused(upPlan(dir, file), "error: " + file + ": " + messages.get(c.getKey()));
        }
        refused(upPlan(dir, dir.resolve("missing.json")), "missing.json: no such plan file; `dbstack preview --out ");

        CliTest.Result otherStack = cli(dir, "up", plan.toString(), "--stack", "prod", "--yes");
        refused(otherStack, "error: " + plan + ": is a plan of stack 'dev' of project 'test-project'; this is stack 'prod' of"
                + " project 'test-project'. To plan this stack: `dbstack preview --stack prod --out " + plan + "`");

        refused(upPlan(dir, plan, "--delete-data", "shop/pg"), "error: --delete-data: is given when the plan is made");
        assertThat(world(dir)).as("nothing written by any of them").isEqualTo(before);
        assertThat(Files.readString(plan)).isEqualTo(text);

        // The untouched file still applies, to the stack it names (no --stack needed with two stacks).
        CliTest.Result applied = upPlan(dir, plan);
        assertThat(applied.exit()).as(applied.out() + applied.err()).isZero();
    }

    @Test
    void aPlanOfAnotherProjectIsRefused(@TempDir Path dir) throws IOException {
        Path one = Files.createDirectories(dir.resolve("one"));
        Path other = Files.createDirectories(dir.resolve("other"));
        project(one);
        TestProject.create(other, STACK, YAML);
        Files.writeString(other.resolve("Pulumi.yaml"), "name: other-project\nruntime: java\nstackConfigDir: stacks\n");
        Path plan = previewOut(other);
        refused(upPlan(one, plan), "error: " + plan + ": is a plan of stack 'dev' of project 'other-project'; this is stack"
                + " 'dev' of project 'test-project'. To plan this stack: `dbstack preview --stack dev --out " + plan + "`");
        assertThat(one.resolve(".dbstack")).as("nothing opened for it").doesNotExist();
    }

    @Test
    void dataOptionsGivenAtPreviewArePartOfThePlan(@TempDir Path dir) throws IOException {
        TestProject p = project(dir);
        up(dir);
        p.edit(STACK, "        - {name: pg, type: postgresql, version: \"17\", storage: 1}\n", "");
        p.edit(STACK, "          env:\n            PGPASSWORD: \"{{.spectro.app.$appDeploymentName.pg.PASSWORD}}\"\n", "");
        CliTest.Result withoutFlag = cli(dir, "preview", "--stack", STACK, "--out", dir.resolve("plan.json").toString());
        assertThat(withoutFlag.exit()).as(withoutFlag.out() + withoutFlag.err()).isZero();
        assertThat(withoutFlag.out()).contains("- delete StatefulSet shop/pg").contains("data kept: shop/pg");

        Path plan = previewOut(dir, "--delete-data", "shop/pg");
        assertThat(Files.readString(plan)).contains("\"deleteData\" : [ \"shop/pg\" ]");
        CliTest.Result applied = upPlan(dir, plan);
        assertThat(applied.exit()).as(applied.out() + applied.err()).isZero();
        assertThat(applied.out()).contains("- delete PersistentVolumeClaim shop/data-pg-0");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").withName("data-pg-0").get()).isNull();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("written atomically: no temp file left")
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
