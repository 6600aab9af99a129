package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.catalog.VersionChange;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change a user can make to a database layer, planned against a cluster that holds its data:
 * safe, allowed only by name, or refused before anything is written. The cluster is kept in memory
 * here ({@link World}); the end-to-end runs on the sandbox are in the CLI tests.
 */
class DataSafetyPlanTest {
    private static final Catalog CATALOG = Catalog.builtIn();

    /** A one-app stack; {@code layers} are YAML flow mappings. */
    static String stack(String... layers) {
        StringBuilder s = new StringBuilder("""
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                    - name: p
                      layers:
                """);
        for (String l : layers) s.append("        - ").append(l).append('\n');
        s.append("  dbstack:apps:\n    - {name: app1, profile: p}\n");
        return s.toString();
    }

    static String db(String name, String type, String version) {
        return "{name: " + name + ", type: " + type + ", version: \"" + version + "\", storage: 1}";
    }

    /**
     * A cluster and a state in memory: {@link #up} plans and applies (objects become live, a
     * StatefulSet gets its claim, retention is recorded as the engine records it).
     */
    static final class World {
        final Path dir;
        final Map<ObjectRef, JsonNode> live = new HashMap<>();
        final Map<ObjectRef, Recorded> recorded = new HashMap<>();
        final Map<ServiceId, Retained> retained = new HashMap<>();

        World(Path dir) {
            this.dir = dir;
        }

        Plan plan(String yaml, Planner.Options options) {
            TestProject project = TestProject.create(dir, yaml);
            RenderedStack desired = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
            return Planner.plan("p", TestProject.STACK, desired, project.catalog(), new Planner.Known(Map.copyOf(recorded),
                    Map.copyOf(retained)), new Planner.Live(Map.copyOf(live), Set.of("standard"), "standard"), options);
        }

        Plan plan(String yaml) {
            return plan(yaml, Planner.Options.NONE);
        }

        Plan up(String yaml, Planner.Options options) {
            Plan plan = plan(yaml, options);
            for (Step s : plan.steps()) apply(s);
            return plan;
        }

        Plan up(String yaml) {
            return up(yaml, Planner.Options.NONE);
        }

        private void apply(Step s) {
            if (s.action() == Action.KEEP) {
                recorded.remove(s.object());
                if (s.retention() != null && s.retention().kind() == Step.Retention.Kind.KEEP) {
                    retained.put(s.retention().data().data(), s.retention().data()); // a serverless type's claim
                }
                return;
            }
            if (s.action() == Action.DELETE) {
                live.remove(s.object());
                recorded.remove(s.object());
                if (s.retention() != null && s.retention().kind() == Step.Retention.Kind.KEEP) {
                    Retained d = s.retention().data();
                    retained.put(d.data(), d);
                    d.secrets().forEach(n -> recorded.remove(new ObjectRef("v1", "Secret", d.namespace(), n)));
                }
                if (s.retention() != null && s.retention().kind() == Step.Retention.Kind.RELEASE) {
                    retained.remove(s.retention().data().data());
                }
                return;
            }
            JsonNode json = Planner.SERIALIZATION.convertValue(s.desired(), JsonNode.class);
            live.put(s.object(), json);
            recorded.put(s.object(), new Recorded(s.object(), s.app(), s.service(), Planner.withoutSecretData(json)));
            if (s.retention() != null) retained.remove(s.retention().data().data());
            if (s.desired() instanceof StatefulSet sts) { // the controller's claim for ordinal 0
                ObjectNode claim = Planner.SERIALIZATION.convertValue(sts.getSpec().getVolumeClaimTemplates().get(0), ObjectNode.class);
                String name = "data-" + sts.getMetadata().getName() + "-0";
                ((ObjectNode) claim.get("metadata")).put("name", name).put("namespace", s.object().namespace());
                claim.put("kind", "PersistentVolumeClaim").put("apiVersion", "v1");
                live.put(new ObjectRef("v1", "PersistentVolumeClaim", s.object().namespace(), name), claim);
            }
        }

        boolean hasClaim(String name) {
            return live.containsKey(new ObjectRef("v1", "PersistentVolumeClaim", "app1", name));
        }
    }

    private static List<String> refusals(World w, String yaml, Planner.Options options) {
        PlanRefusedException e = catchThrowableOfType(PlanRefusedException.class, () -> w.plan(yaml, options));
        assertThat(e).as("plan refused").isNotNull();
        return e.problems().stream().map(Problem::render).toList();
    }

    private static List<String> refusals(World w, String yaml) {
        return refusals(w, yaml, Planner.Options.NONE);
    }

    private static Step statefulSetStep(Plan plan) {
        return plan.steps().stream().filter(s -> s.object().kind().equals("StatefulSet")).findFirst().orElseThrow();
    }

    private static Planner.Options allow(String flag, String service) {
        return switch (flag) {
            case "--allow-major-upgrade" -> new Planner.Options(Set.of(), Set.of(service), Set.of(), Set.of());
            case "--allow-downgrade" -> new Planner.Options(Set.of(), Set.of(), Set.of(service), Set.of());
            default -> throw new IllegalArgumentException(flag);
        };
    }

    /** {@link #db} with an engine (null: none, the type's default). */
    static String db(String name, String type, String engine, String version) {
        String layer = db(name, type, version);
        return engine == null ? layer : layer.replace("type: " + type + ",", "type: " + type + ", engine: " + engine + ",");
    }

    /** For every type, each of its engines, and every pair of its versions, the planner does what the catalog's rules say. */
    @Test
    void everyVersionChangeOfEveryTypeIsPlannedAsItsCatalogSays(@TempDir Path root) throws IOException {
        for (String type : CATALOG.types()) {
          for (String engine : CATALOG.get(type).engines().isEmpty() ? java.util.Collections.<String>singletonList(null)
                  : CATALOG.get(type).engines()) {
            Component c = CATALOG.find(type, engine).orElseThrow();
            if (!c.hasServer()) continue; // no server reads the data: its version is the consumers' library's
            List<String> versions = new java.util.ArrayList<>(c.versions());
            versions.add(c.versions().get(0) + ".1");
            versions.add(c.versions().get(0) + ".2");
            for (String from : versions) {
                for (String to : versions) {
                    if (from.equals(to)) continue;
                    World w = new World(Files.createTempDirectory(root, type));
                    w.up(stack(db("db", type, engine, from)));
                    String change = stack(db("db", type, engine, to));
                    VersionChange.Judgement j = VersionChange.judge(c, from, to);
                    String what = type + " " + from + " → " + to;
                    switch (j.verdict()) {
                        case SAFE -> assertThat(statefulSetStep(w.plan(change))).as(what).satisfies(s -> {
                            assertThat(s.action()).isEqualTo(Action.UPDATE);
                            assertThat(s.reason()).contains(j.change());
                        });
                        case REFUSED -> assertThat(refusals(w, change)).as(what).singleElement().asString()
                                .contains("config.dbstack:profiles[p].layers[db].version: app app1: " + j.change() + " is refused")
                                .contains("add a new " + type + " layer on version " + to);
                        case NEEDS_MAJOR_UPGRADE_FLAG, NEEDS_DOWNGRADE_FLAG -> {
                            String flag = j.verdict() == VersionChange.Verdict.NEEDS_DOWNGRADE_FLAG ? "--allow-downgrade"
                                    : "--allow-major-upgrade";
                            assertThat(refusals(w, change)).as(what).singleElement().asString()
                                    .contains(j.change()).contains("name the layer: " + flag + " app1/db");
                            assertThat(statefulSetStep(w.plan(change, allow(flag, "app1/db"))).reason()).as(what)
                                    .contains(j.change() + " (allowed by " + flag + ")");
                        }
                    }
                }
            }
          }
        }
    }

    /**
     * Every setting a type's catalog marks first-start-only, of every type, changed on live data: refused,
     * naming the setting, what the data was created with and what the consumers would be sent to.
     */
    @Test
    void aFirstStartOnlySettingCannotChangeUnderLiveData(@TempDir Path root) throws IOException {
        int checked = 0;
        for (String type : CATALOG.types()) {
            Component c = CATALOG.get(type);
            for (var setting : c.settings().entrySet()) {
                if (!setting.getValue().initOnly()) continue;
                World w = new World(Files.createTempDirectory(root, type));
                String name = setting.getKey();
                String before = "{name: db, type: " + type + ", storage: 1}";
                String changed = "{name: db, type: " + type + ", storage: 1, " + name + ": \"" + otherValue(setting.getValue()) + "\"}";
                w.up(stack(before));
                assertThat(refusals(w, stack(changed))).as(type + " " + name).singleElement().asString()
                        .contains("layers[db]." + name + ": app app1: " + c.title() + " read " + name + " '"
                                + setting.getValue().defaultValue() + "' when it created the data of layer db")
                        .contains("Keep " + name + ": " + setting.getValue().defaultValue());
                assertThat(w.plan(stack(before)).steps()).as("unchanged, nothing to do").isEmpty();
                checked++;
            }
        }
        assertThat(checked).as("the catalog marks some settings first-start-only").isPositive();
    }

    /** A valid value other than the default: the default with a letter changed, or a digit. */
    private static String otherValue(Component.Setting s) {
        for (String candidate : List.of(s.defaultValue() + "x", s.defaultValue() + "1", "x" + s.defaultValue(), "7", "other", "30d")) {
            if (s.pattern() == null || candidate.matches(s.pattern())) return candidate;
        }
        throw new IllegalStateException("no other value for " + s);
    }

    /** A layer's data stays with the engine that wrote it: live, kept after removal, or written before engines were recorded. */
    @Test
    void anEngineChangeIsRefusedWhereverTheDataIs(@TempDir Path dir) throws IOException {
        World w = new World(dir);
        w.up(stack(db("db", "mysql", "8.4"), db("cache", "redis", "8.2")));
        assertThat(refusals(w, stack(db("db", "mysql", "percona", "8.4"), db("cache", "redis", "8.2")))).singleElement()
                .asString().contains("layers[db].engine: app app1: StatefulSet app1/db holds data written by MySQL (engine"
                        + " mysql); changing layer db to engine percona would hand it to Percona Server for MySQL,")
                .contains("Keep engine: mysql");
        assertThat(w.plan(stack(db("db", "mysql", "mysql", "8.4"), db("cache", "redis", "8.2"))).steps())
                .as("naming the default engine changes nothing").isEmpty();

        w.up(stack(db("cache", "redis", "8.2")));
        assertThat(w.retained.get(new ServiceId("app1", "db")).engine()).isEqualTo("mysql");
        assertThat(refusals(w, stack(db("db", "mysql", "percona", "8.4"), db("cache", "redis", "8.2")))).singleElement()
                .asString().contains("the data kept in PersistentVolumeClaim app1/data-db-0 holds data written by MySQL (engine"
                        + " mysql)");

        // a StatefulSet from before engines were recorded was written by the type's default engine
        World legacy = new World(Files.createDirectories(dir.resolve("legacy")));
        legacy.up(stack(db("db", "mysql", "8.4")));
        ObjectRef sts = new ObjectRef("apps/v1", "StatefulSet", "app1", "db");
        ((ObjectNode) legacy.live.get(sts).path("metadata").path("annotations")).remove("dbstack.dev/engine");
        assertThat(refusals(legacy, stack(db("db", "mysql", "mariadb", "11.8")))).singleElement().asString()
                .contains("written by MySQL (engine mysql); changing layer db to engine mariadb would hand it to MariaDB");
    }

    @Test
    void aVersionChangeAlsoRefusedWhenTheDataWasKeptFromARemovedLayer(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2")));
        w.up(stack(db("cache", "redis", "8.2")));
        assertThat(w.retained).containsKey(new ServiceId("app1", "db"));
        assertThat(refusals(w, stack(db("db", "postgresql", "16"), db("cache", "redis", "8.2")))).singleElement().asString()
                .contains("PostgreSQL 17 → 16 is refused");
        assertThat(refusals(w, stack(db("db", "mysql", "8.4"), db("cache", "redis", "8.2")))).singleElement().asString()
                .contains("layers[db].type: app app1: the data kept in PersistentVolumeClaim app1/data-db-0 holds PostgreSQL data;"
                        + " changing layer db to type mysql would hand it to MySQL");
        assertThat(refusals(w, stack(db("db", "postgresql", "17.6"), db("cache", "redis", "8.2")))).singleElement().asString()
                .contains("'17' follows the newest PostgreSQL 17 release, so 17.6 may be older than what runs now")
                .contains("--allow-downgrade app1/db");
        Plan back = w.plan(stack(db("db", "postgresql", "17.6"), db("cache", "redis", "8.2")),
                allow("--allow-downgrade", "app1/db"));
        assertThat(statefulSetStep(back).action()).isEqualTo(Action.CREATE);
        assertThat(statefulSetStep(back).retention().kind()).isEqualTo(Step.Retention.Kind.REATTACH);
        assertThat(statefulSetStep(back).reason()).contains("takes over the data kept from app1/db (postgresql 17)")
                .contains("PostgreSQL 17 → 17.6 (allowed by --allow-downgrade)");
    }

    @Test
    void aTypeChangeUnderTheSameNameIsRefusedForEveryPairOfTypes(@TempDir Path root) throws IOException {
        for (String from : CATALOG.types()) {
            for (String to : CATALOG.types()) {
                if (from.equals(to)) continue;
                World w = new World(Files.createTempDirectory(root, from));
                w.up(stack(db("db", from, CATALOG.get(from).defaultVersion())));
                // A server's data is its StatefulSet's; a type without a server (SQLite) has a claim of its own.
                String where = CATALOG.get(from).hasServer() ? "StatefulSet app1/db" : "PersistentVolumeClaim app1/data-db";
                assertThat(refusals(w, stack(db("db", to, CATALOG.get(to).defaultVersion())))).as(from + " → " + to)
                        .singleElement().asString()
                        .contains("layers[db].type: app app1: " + where + " holds " + CATALOG.get(from).title() + " data")
                        .contains("Keep type: " + from + ", and add a " + to + " layer under another name");
            }
            World w = new World(Files.createTempDirectory(root, from));
            w.up(stack(db("db", from, CATALOG.get(from).defaultVersion())));
            assertThat(refusals(w, stack("{name: db, type: container, image: nginx:1.27}"))).as(from + " → container")
                    .singleElement().asString().contains("layer db holds " + CATALOG.get(from).title()
                            + " data; it cannot become a container");
        }
    }

    @Test
    void aChangeOfWhereTheDataLivesIsRefused(@TempDir Path dir) throws IOException {
        World w = new World(dir);
        w.up(stack(db("db", "postgresql", "17.2")));
        // A project catalog that moves PGDATA within the same major: the server would initialise an empty cluster.
        Files.createDirectories(dir.resolve("components"));
        Files.writeString(dir.resolve("components/postgresql.yaml"), Files.readString(Path.of("components/postgresql.yaml"))
                .replace("env: {PGDATA: /var/lib/postgresql/data/pgdata}", "env: {PGDATA: /var/lib/postgresql/data/17}"));
        assertThat(refusals(w, stack(db("db", "postgresql", "17.4")))).singleElement().asString()
                .contains("the data of db lives where it was written (PGDATA=/var/lib/postgresql/data/pgdata, not"
                        + " /var/lib/postgresql/data/17)")
                .contains("would start an empty database").contains("never applied");
    }

    @Test
    void aRenameWithoutMappingIsRefusedAndWithRenamedFromKeepsTheData(@TempDir Path dir) {
        World w = new World(dir);
        String api = "{name: api, type: container, image: nginx:1.27, env: {R: \"{{.spectro.app.$appDeploymentName.%s.REDISMSTR_SVC}}\"}}";
        w.up(stack(db("redis-1", "redis", "8.2"), api.formatted("redis-1")));

        String renamed = stack(db("cache-1", "redis", "8.2"), api.formatted("cache-1"));
        assertThat(refusals(w, renamed)).singleElement().asString()
                .contains("layer cache-1 would start an empty redis database while the data of StatefulSet app1/redis-1"
                        + " (layer app1/redis-1) stays behind in PersistentVolumeClaim app1/data-redis-1-0")
                .contains("add `renamedFrom: redis-1`").contains("--start-empty app1/cache-1");
        assertThat(w.plan(renamed, new Planner.Options(Set.of(), Set.of(), Set.of(), Set.of("app1/cache-1"))).steps())
                .as("--start-empty").anyMatch(s -> s.action() == Action.CREATE && s.object().kind().equals("StatefulSet"));

        Plan moved = w.up(stack("{name: cache-1, type: redis, version: \"8.2\", storage: 1, renamedFrom: redis-1}",
                api.formatted("cache-1")));
        // The workload and its claims stay as they are; the credentials' URIs name the new Service.
        assertThat(moved.steps()).noneMatch(s -> s.object().kind().equals("StatefulSet") || s.object().kind().equals("Secret")
                        && !s.fields().equals(List.of("data.REDIS_URI")))
                .anyMatch(s -> s.action() == Action.CREATE && s.object().name().equals("cache-1"))
                .anyMatch(s -> s.action() == Action.DELETE && s.object().toString().equals("Service app1/redis-1"))
                .anyMatch(s -> s.action() == Action.UPDATE && s.object().name().equals("api"));
        assertThat(w.hasClaim("data-redis-1-0")).isTrue();

        // renamedFrom must stay: without it the layer would start empty while its data stays behind
        assertThat(refusals(w, renamed)).singleElement().asString().contains("add `renamedFrom: redis-1`");
    }

    @Test
    void anAppMovedToAnotherNamespaceWouldStartEmptyAndIsRefused(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("db", "mysql", "8.4")));
        String moved = stack(db("db", "mysql", "8.4")).replace("{name: app1, profile: p}", "{name: app1, profile: p, virtualCluster: other}");
        assertThat(refusals(w, moved)).singleElement().asString()
                .contains("layer db would start an empty mysql database while the data of StatefulSet app1/db (layer app1/db)"
                        + " stays behind in PersistentVolumeClaim app1/data-db-0")
                .contains("Data does not move between namespaces: keep the app in namespace app1 (set virtualCluster: app1");
    }

    @Test
    void removingADatabaseKeepsItsClaimsAndCredentialsAndReAddingReattachesThem(@TempDir Path dir) {
        World w = new World(dir);
        String both = stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2"));
        w.up(both);
        Plan removed = w.up(stack(db("cache", "redis", "8.2")));
        Step sts = statefulSetStep(removed);
        assertThat(sts.action()).isEqualTo(Action.DELETE);
        assertThat(sts.retention().kind()).isEqualTo(Step.Retention.Kind.KEEP);
        assertThat(sts.retention().data()).satisfies(d -> {
            assertThat(d.claims()).containsExactly("data-db-0");
            assertThat(d.secrets()).containsExactly("db-credentials");
            assertThat(d.type()).isEqualTo("postgresql");
            assertThat(d.version()).isEqualTo("17");
        });
        assertThat(removed.steps()).noneMatch(s -> s.object().kind().equals("Secret") || s.object().kind().equals("Namespace")
                || s.object().kind().equals("PersistentVolumeClaim"));
        assertThat(PlanPrinter.summary(removed)).endsWith("5 to delete; data kept: app1/db."); // with its NetworkPolicy and Maestro Service postgresql
        assertThat(w.plan(stack(db("cache", "redis", "8.2"))).steps()).as("a kept Secret is not deleted later").isEmpty();

        Plan back = w.up(both);
        assertThat(statefulSetStep(back).retention().kind()).isEqualTo(Step.Retention.Kind.REATTACH);
        assertThat(back.steps()).noneMatch(s -> s.object().kind().equals("Secret")).as("the kept Secret is reused");
        assertThat(w.retained).isEmpty();
    }

    @Test
    void removingAnAppKeepsItsNamespaceAndTheDataOfEachDatabase(@TempDir Path dir) {
        World w = new World(dir);
        String two = stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2"))
                .replace("    - {name: app1, profile: p}\n", "    - {name: app1, profile: p}\n    - {name: app2, profile: p}\n");
        w.up(two);
        Plan removed = w.up(stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2")));
        assertThat(removed.steps()).allMatch(s -> s.app().equals("app2"))
                .filteredOn(s -> s.object().kind().equals("StatefulSet")).hasSize(2)
                .allMatch(s -> s.action() == Action.DELETE && s.retention().kind() == Step.Retention.Kind.KEEP);
        assertThat(removed.steps()).filteredOn(s -> s.object().kind().equals("Namespace")).singleElement()
                .satisfies(s -> assertThat(s.action()).isEqualTo(Action.KEEP));
        assertThat(removed.steps()).noneMatch(s -> s.object().kind().equals("Secret") || s.object().kind().equals("PersistentVolumeClaim"));
        assertThat(w.retained).containsOnlyKeys(new ServiceId("app2", "db"), new ServiceId("app2", "cache"));
        assertThat(w.plan(stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2"))).steps()).isEmpty();

        Plan back = w.up(two);
        assertThat(back.steps()).filteredOn(s -> s.object().kind().equals("StatefulSet"))
                .allMatch(s -> s.retention().kind() == Step.Retention.Kind.REATTACH).hasSize(2);
    }

    @Test
    void deleteDataNamesTheServiceWhoseClaimsAndCredentialsGo(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2")));
        w.up(stack(db("cache", "redis", "8.2")));
        Plan released = w.up(stack(db("cache", "redis", "8.2")), Planner.Options.deleteData(Set.of("app1/db")));
        assertThat(released.steps()).extracting(s -> s.action() + " " + s.object())
                .containsExactly("DELETE Secret app1/db-credentials", "DELETE PersistentVolumeClaim app1/data-db-0");
        assertThat(released.steps().get(1).retention().kind()).isEqualTo(Step.Retention.Kind.RELEASE);
        assertThat(w.retained).isEmpty();
        assertThat(w.hasClaim("data-db-0")).isFalse();
    }

    @Test
    void destroyKeepsEveryDatabasesDataUnlessNamed(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("db", "postgresql", "17"), db("cache", "redis", "8.2"), "{name: api, type: container, image: nginx:1.27, ports: [80]}"));
        Plan destroy = Planner.destroy("p", TestProject.STACK, CATALOG, new Planner.Known(Map.copyOf(w.recorded), Map.of()),
                new Planner.Live(Map.copyOf(w.live), Set.of(), null), Planner.Options.deleteData(Set.of("cache")));
        assertThat(destroy.steps()).extracting(s -> s.action() + " " + s.object()).containsExactly(
                "DELETE Deployment app1/api", "DELETE StatefulSet app1/cache", "DELETE StatefulSet app1/db",
                "DELETE Service app1/api", "DELETE Service app1/cache", "DELETE Service app1/cache-headless",
                "DELETE Service app1/db", "DELETE Service app1/db-headless", "DELETE Service app1/postgresql",
                "DELETE Service app1/redis", "DELETE Secret app1/cache-credentials",
                "DELETE ResourceQuota app1/dbstack-virtual-cluster", "DELETE LimitRange app1/dbstack-virtual-cluster",
                "DELETE NetworkPolicy app1/cache-ingress", "DELETE NetworkPolicy app1/db-ingress",
                "KEEP Namespace app1", "DELETE PersistentVolumeClaim app1/data-cache-0");
        assertThat(destroy.steps().get(2).retention().kind()).isEqualTo(Step.Retention.Kind.KEEP);
    }

    @Test
    void aServerlessTypesClaimIsItsDataKeptWhenItsLayerGoesAndDeletedOnlyByName(@TempDir Path dir) {
        World w = new World(dir);
        String files = db("files", "sqlite", "3");
        String api = "{name: api, type: container, image: nginx:1.27, dependsOn: [files]}";
        String alone = "{name: api, type: container, image: nginx:1.27}";
        w.up(stack(files, api));
        assertThat(w.hasClaim("data-files")).isTrue();

        Plan removed = w.up(stack(alone));
        assertThat(removed.steps()).filteredOn(s -> s.object().kind().equals("PersistentVolumeClaim")).singleElement()
                .satisfies(s -> {
                    assertThat(s.action()).isEqualTo(Action.KEEP);
                    assertThat(s.reason()).contains("the SQLite data on it is kept (--delete-data app1/files deletes it)");
                    assertThat(s.retention().kind()).isEqualTo(Step.Retention.Kind.KEEP);
                    assertThat(s.retention().data().data()).isEqualTo(new ServiceId("app1", "files"));
                    assertThat(s.retention().data().claims()).containsExactly("data-files");
                    assertThat(s.retention().data().type()).isEqualTo("sqlite");
                });
        assertThat(PlanPrinter.summary(removed)).endsWith("data kept: app1/files.");
        assertThat(PlanPrinter.printFlat(removed)).containsOnlyOnce("PersistentVolumeClaim app1/data-files");
        assertThat(w.hasClaim("data-files")).isTrue();
        assertThat(w.plan(stack(alone)).steps()).isEmpty();

        // Back in the stack, the layer owns the data again: naming it does not delete it.
        w.up(stack(files, api));
        assertThat(w.plan(stack(files, api), Planner.Options.deleteData(Set.of("app1/files"))).steps()).isEmpty();

        w.up(stack(alone));
        Plan released = w.up(stack(alone), Planner.Options.deleteData(Set.of("app1/files")));
        assertThat(released.steps()).extracting(s -> s.action() + " " + s.object())
                .containsExactly("DELETE PersistentVolumeClaim app1/data-files");
        assertThat(released.steps().get(0).retention().kind()).isEqualTo(Step.Retention.Kind.RELEASE);
        assertThat(w.retained).isEmpty();
        assertThat(w.hasClaim("data-files")).isFalse();
    }

    @Test
    void destroyKeepsAServerlessTypesClaimUnlessNamed(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("files", "sqlite", "3"), "{name: api, type: container, image: nginx:1.27, dependsOn: [files]}"));
        Planner.Known known = new Planner.Known(Map.copyOf(w.recorded), Map.of());
        Planner.Live live = new Planner.Live(Map.copyOf(w.live), Set.of(), null);
        Plan destroy = Planner.destroy("p", TestProject.STACK, CATALOG, known, live, Planner.Options.NONE);
        assertThat(destroy.steps()).extracting(s -> s.action() + " " + s.object()).containsExactly(
                "DELETE Deployment app1/api", "DELETE ResourceQuota app1/dbstack-virtual-cluster",
                "DELETE LimitRange app1/dbstack-virtual-cluster", "KEEP PersistentVolumeClaim app1/data-files",
                "KEEP Namespace app1");
        assertThat(destroy.steps().get(3).retention().kind()).isEqualTo(Step.Retention.Kind.KEEP);

        Plan named = Planner.destroy("p", TestProject.STACK, CATALOG, known, live, Planner.Options.deleteData(Set.of("files")));
        assertThat(named.steps()).extracting(s -> s.action() + " " + s.object()).containsExactly(
                "DELETE Deployment app1/api", "DELETE ResourceQuota app1/dbstack-virtual-cluster",
                "DELETE LimitRange app1/dbstack-virtual-cluster", "KEEP Namespace app1",
                "DELETE PersistentVolumeClaim app1/data-files");
        assertThat(named.steps().get(4).retention().kind()).isEqualTo(Step.Retention.Kind.RELEASE);
    }

    @Test
    void flagsThatNameNoLayerAreRefused(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("db", "mongodb", "7.0")));
        assertThat(refusals(w, stack(db("db", "mongodb", "8.0")), allow("--allow-major-upgrade", "app1/mongo")))
                .contains("--allow-major-upgrade: 'app1/mongo' names no layer of this stack (layers: app1/db)");
    }

    @Test
    void everyRefusalOfOneRunIsReportedTogether(@TempDir Path dir) {
        World w = new World(dir);
        w.up(stack(db("a", "postgresql", "17"), db("b", "redis", "8.2")));
        assertThat(refusals(w, stack(db("a", "postgresql", "18"), db("b", "mongodb", "8.0")))).hasSize(2);
        assertThat(w.plan(stack(db("a", "postgresql", "17"), db("b", "redis", "8.2"))).steps()).isEmpty();
    }

    @Test
    void anUnchangedStackOfEveryTypeHasNothingToDo(@TempDir Path dir) {
        World w = new World(dir);
        List<String> layers = CATALOG.types().stream().map(t -> db(t + "-1", t, CATALOG.get(t).defaultVersion())).toList();
        // Every type at once asks for more memory than Palette's default virtual cluster (8Gi) has.
        String yaml = stack(layers.toArray(String[]::new)).replace("{name: g, cluster: sandbox}",
                "{name: g, cluster: sandbox, virtualClusters: {cpu: 16, memory: 32Gi, storage: 100Gi}}");
        w.up(yaml);
        assertThat(w.plan(yaml).steps()).isEmpty();
    }
}
