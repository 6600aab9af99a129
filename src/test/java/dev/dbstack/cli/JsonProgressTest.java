package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.apply.Applier;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Step;
import dev.dbstack.testing.PlanOutputSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event lines of {@code up --json}, read back from the apply's progress, each valid against the schema. */
class JsonProgressTest {
    @Test
    void eachProgressLineBecomesOneValidEvent() {
        ServiceId db = new ServiceId("shop", "db");
        ServiceId api = new ServiceId("shop", "api");
        ServiceId cache = new ServiceId("shop", "cache");
        Plan plan = new Plan("p", "dev", List.of(
                new Step(Action.EXPAND_VOLUME, "shop", db, new ObjectRef("apps/v1", "StatefulSet", "shop", "db"), "storage grew",
                        List.of("spec.volumeClaimTemplates[0].spec.resources.requests.storage"), null),
                new Step(Action.UPDATE, "shop", api, new ObjectRef("apps/v1", "Deployment", "shop", "api"), "configuration changed",
                        List.of("spec.template.spec.containers[0].image"), null),
                new Step(Action.DELETE, "shop", cache, new ObjectRef("v1", "Service", "shop", "cache"), "gone", List.of(), null)),
                List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonProgress p = new JsonProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), plan,
                Clock.fixed(Instant.parse("2025-03-04T05:06:07Z"), ZoneOffset.UTC));

        p.started(db);
        p.started(new ServiceId("shop", "unchanged"));
        p.event("  ~ expand-volume StatefulSet shop/db");
        p.event("    grew shop/data-db-0 to 2Gi");
        p.waiting(db, "StatefulSet shop/db: 0/1 replicas ready");
        p.event("  ready shop/db");
        p.started(api);
        p.finished(api, Applier.Outcome.FAILED);
        p.event("  failed shop/api: timed out after 0 s waiting for Deployment shop/api to be available");
        p.event("  skipped shop/web: shop/api did not succeed");
        p.event("  failed to delete Service shop/cache: HTTP 403: forbidden");
        p.finished(new Applier.Result(Map.of(db, Applier.Outcome.SUCCEEDED, api, Applier.Outcome.FAILED,
                new ServiceId("shop", "web"), Applier.Outcome.SKIPPED), Map.of(), 3), "Applied: 1 services succeeded, 1 failed, 1 skipped.");

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        for (String line : lines) {
            assertThat(PlanOutputSchema.load().validateEvent(PlanOutputSchema.parse(line))).as(line).isEmpty();
        }
        assertThat(lines).containsExactly(
                "{\"event\":\"started\",\"service\":\"shop/db\",\"op\":null,\"object\":null,\"message\":null,\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"step\",\"service\":\"shop/db\",\"op\":\"expand-volume\",\"object\":\"StatefulSet shop/db\",\"message\":null,\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"step\",\"service\":null,\"op\":null,\"object\":null,\"message\":\"grew shop/data-db-0 to 2Gi\",\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"waiting\",\"service\":\"shop/db\",\"op\":null,\"object\":null,\"message\":\"StatefulSet shop/db: 0/1 replicas ready\",\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"ready\",\"service\":\"shop/db\",\"op\":null,\"object\":null,\"message\":null,\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"started\",\"service\":\"shop/api\",\"op\":null,\"object\":null,\"message\":null,\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"failed\",\"service\":\"shop/api\",\"op\":null,\"object\":null,\"message\":\"timed out after 0 s waiting for Deployment shop/api to be available\",\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"skipped\",\"service\":\"shop/web\",\"op\":null,\"object\":null,\"message\":\"shop/api did not succeed\",\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"failed\",\"service\":\"shop/cache\",\"op\":\"delete\",\"object\":\"Service shop/cache\",\"message\":\"HTTP 403: forbidden\",\"time\":\"2025-03-04T05:06:07Z\"}",
                "{\"event\":\"finished\",\"service\":null,\"op\":null,\"object\":null,\"message\":\"Applied: 1 services succeeded, 1 failed, 1 skipped.\",\"time\":\"2025-03-04T05:06:07Z\",\"result\":{\"ok\":false,\"succeeded\":1,\"failed\":1,\"skipped\":1}}");
        JsonNode last = PlanOutputSchema.parse(lines.get(lines.size() - 1));
        assertThat(last.path("result").path("ok").asBoolean()).isFalse();
    }
}
