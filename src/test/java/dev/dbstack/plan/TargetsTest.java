package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving {@code --target} against the service graph, and splitting a plan by it. */
class TargetsTest {
    /** A chain: web consumes api (dependsOn), api consumes db; cache stands alone. */
    private static final String FIXTURE = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  version: 1.0.0
                  layers:
                    - {name: db, type: postgresql, version: "17", storage: 1}
                    - {name: cache, type: redis, version: "8.2", storage: 1}
                    - {name: api, type: container, image: ghcr.io/acme/api:1, autoEnv: [db]}
                    - {name: web, type: container, image: ghcr.io/acme/web:1, autoEnv: false, dependsOn: [api]}
              dbstack:apps:
                - {name: shop, profile: p}
                - {name: blog, profile: p}
            """;

    @TempDir
    Path dir;

    private ServiceGraph graph() {
        return TestProject.create(dir, FIXTURE).graph();
    }

    @Test
    void aLayerBringsWhatItConsumesTransitivelyAndItsAppsOwnObjects() {
        Targets t = Targets.resolve(List.of("shop/web"), graph(), Set.of());
        assertThat(t.services()).containsExactlyInAnyOrder(new ServiceId("shop", "web"), new ServiceId("shop", "api"),
                new ServiceId("shop", "db"));
        assertThat(t.apps()).containsExactly("shop");
        assertThat(t.wholeApps()).isEmpty();
        assertThat(t.describe()).isEqualTo("shop/web (with what it consumes: shop/api, shop/db)");

        Step appLevel = step("shop", null);
        assertThat(t.includes(appLevel)).isTrue();
        assertThat(t.includes(step("shop", "cache"))).isFalse();
        assertThat(t.includes(step("blog", "web"))).isFalse();
        assertThat(t.includes(step("shop", "removed"))).as("a removed layer goes with its app as a whole").isFalse();
    }

    @Test
    void anAppBringsAllOfItsServicesAndItsRemovedLayersAndARemovedAppMayBeTargeted() {
        Targets t = Targets.resolve(List.of("blog", "gone", "blog"), graph(), Set.of("gone"));
        assertThat(t.named()).containsExactly("blog", "gone");
        assertThat(t.services()).hasSize(4).allMatch(id -> id.app().equals("blog"));
        assertThat(t.includes(step("blog", "removed"))).isTrue();
        assertThat(t.includes(step("gone", "db"))).isTrue();
        assertThat(t.includes(step("gone", null))).isTrue();
        assertThat(t.includes(step("shop", null))).isFalse();
    }

    @Test
    void aPlanSplitByTargetsDefersTheRest() {
        Targets t = Targets.resolve(List.of("shop/db"), graph(), Set.of());
        Plan plan = new Plan("p", "s", List.of(step("shop", null), step("shop", "db"), step("shop", "api"), step("blog", "db")),
                List.of());
        Plan targeted = plan.target(t);
        assertThat(targeted.steps()).extracting(Step::service).containsExactly(null, new ServiceId("shop", "db"));
        assertThat(targeted.deferred()).extracting(Step::service).containsExactly(new ServiceId("shop", "api"),
                new ServiceId("blog", "db"));
        assertThat(targeted.targets()).isEqualTo(t);
        assertThat(PlanPrinter.summary(targeted)).isEqualTo("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete;"
                + " 2 deferred (not targeted).");
        assertThat(plan.target(Targets.ALL)).isSameAs(plan);
        assertThat(PlanPrinter.summary(new Plan("p", "s", List.of(step("blog", "db")), List.of()).target(t)))
                .isEqualTo("No changes for the targets (shop/db); 1 deferred (not targeted).");
    }

    @Test
    void wrongTargetsAreOneProblemOnTheOption() {
        ServiceGraph graph = graph();
        assertThat(problem(graph, "shpo")).isEqualTo("--target: 'shpo' is not an app of stack test; did you mean 'shop'?"
                + " (apps: blog, shop)");
        assertThat(problem(graph, "shop/wbe")).isEqualTo("--target: app 'shop' has no layer 'wbe'; did you mean 'web'?"
                + " (layers: db, cache, api, web)");
        assertThat(problem(graph, "shop/web/x")).isEqualTo("--target: 'shop/web/x' is not a target: name an app (APP) or one"
                + " of its layers (APP/LAYER)");
        assertThat(problem(graph, " ")).startsWith("--target: ' ' is not a target");
        assertThat(problem(graph, "/db")).startsWith("--target: '/db' is not a target");
    }

    private static String problem(ServiceGraph graph, String target) {
        UserInputException e = catchThrowableOfType(UserInputException.class,
                () -> Targets.resolve(List.of(target), graph, Set.of()));
        assertThat(e.problems()).hasSize(1);
        return e.problems().get(0).render();
    }

    private static Step step(String app, String layer) {
        return new Step(Action.CREATE, app, layer == null ? null : new ServiceId(app, layer),
                new ObjectRef("v1", "ConfigMap", app, layer == null ? app : layer), "new", List.of(), null);
    }
}
