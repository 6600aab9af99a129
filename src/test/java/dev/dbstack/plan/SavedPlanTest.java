package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.testing.ShopStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plan file on its own: what it holds, that it reads back exactly, and what it refuses. */
class SavedPlanTest {
    private static final RenderedStack DESIRED = ShopStack.render();
    private static final PassphraseCrypter KEY = PassphraseCrypter.create("test passphrase");
    private static final SavedPlan.Secrets SECRETS = secrets(KEY);
    private static final ObjectRef STS = new ObjectRef("apps/v1", "StatefulSet", "shop", "postgresql-1");
    private static final ObjectRef SECRET = new ObjectRef("v1", "Secret", "shop", "postgresql-1-credentials");
    private static final ObjectRef LEFTOVER = new ObjectRef("v1", "ConfigMap", "shop", "leftover");

    static SavedPlan.Secrets secrets(PassphraseCrypter key) {
        return new SavedPlan.Secrets() {
            @Override
            public String seal(String plaintext) {
                return key.encrypt(plaintext);
            }

            @Override
            public String open(String sealed) {
                try {
                    return key.decryptOrThrow(sealed);
                } catch (PassphraseCrypter.WrongPassphraseException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            }
        };
    }

    /** Every kind of step: a Secret to create, an update's patch, an expand-volume with claims, a delete with data kept. */
    private static Plan plan() {
        Map<ObjectRef, JsonNode> live = new HashMap<>();
        for (HasMetadata o : DESIRED.allObjects()) {
            ObjectNode json = Planner.SERIALIZATION.convertValue(o, ObjectNode.class);
            json.with("metadata").put("resourceVersion", "7");
            live.put(ObjectRef.of(o), json);
        }
        live.remove(SECRET);
        ((ObjectNode) live.get(STS).get("spec").get("volumeClaimTemplates").get(0).get("spec").get("resources").get("requests"))
                .put("storage", "5Gi");
        ObjectNode api = (ObjectNode) live.get(new ObjectRef("apps/v1", "Deployment", "shop", "api"));
        ((ObjectNode) api.get("spec")).put("replicas", 9);
        live.put(new ObjectRef("v1", "PersistentVolumeClaim", "shop", "data-postgresql-1-0"), new ObjectMapper().createObjectNode()
                .put("kind", "PersistentVolumeClaim").set("metadata", new ObjectMapper().createObjectNode()
                        .put("name", "data-postgresql-1-0").put("namespace", "shop").put("resourceVersion", "3")));
        live.put(LEFTOVER, new ObjectMapper().createObjectNode().put("kind", "ConfigMap").set("metadata",
                new ObjectMapper().createObjectNode().put("name", "leftover").put("namespace", "shop").put("resourceVersion", "5")));
        Planner.Known known = new Planner.Known(Map.of(LEFTOVER, new Recorded(LEFTOVER, "shop", new ServiceId("shop", "api"), null)),
                Map.of());
        return Planner.plan("p", "dev", DESIRED, Catalog.builtIn(), known, new Planner.Live(live, Set.of("standard"), "standard"),
                new Planner.Options(Set.of("shop/old"), Set.of(), Set.of(), Set.of()))
                .basedOn(new Plan.Basis(12, "sha256:abc", Map.of("Pulumi.yaml", "sha256:def"), new Planner.Options(Set.of("shop/old"), Set.of(), Set.of(), Set.of())));
    }

    private static String password() {
        Secret secret = (Secret) DESIRED.allObjects().stream().filter(o -> ObjectRef.of(o).equals(SECRET)).findFirst().orElseThrow();
        return new String(Base64.getDecoder().decode(secret.getData().get("PASSWORD")), StandardCharsets.UTF_8);
    }

    private static String written() {
        return SavedPlan.write(plan(), Map.of("shop/postgresql-1/password", KEY.encrypt(password())), "2025-01-01T00:00:00Z", SECRETS);
    }

    @Test
    void aPlanReadsBackExactlyAsItWasWritten() {
        Plan plan = plan();
        assertThat(plan.steps()).extracting(Step::action).contains(Action.CREATE, Action.UPDATE, Action.EXPAND_VOLUME, Action.DELETE);
        String sealed = KEY.encrypt(password());
        String text = SavedPlan.write(plan, Map.of("shop/postgresql-1/password", sealed), "2025-01-01T00:00:00Z", SECRETS);

        SavedPlan.Checked checked = SavedPlan.check(text.getBytes(StandardCharsets.UTF_8));
        assertThat(checked.project()).isEqualTo("p");
        assertThat(checked.stack()).isEqualTo("dev");
        assertThat(checked.id()).startsWith("sha256:").isEqualTo(checked.document().path("checksum").asText());
        SavedPlan.Contents contents = SavedPlan.open(checked, SECRETS);
        assertThat(contents.plan()).isEqualTo(plan);
        assertThat(contents.plan().steps()).isEqualTo(plan.steps());
        assertThat(contents.sealedCredentials()).containsExactly(Map.entry("shop/postgresql-1/password", sealed));
        assertThat(contents.createdAt()).isEqualTo("2025-01-01T00:00:00Z");

        JsonNode doc = checked.document();
        assertThat(doc.path("format").asInt()).isEqualTo(1);
        assertThat(doc.path("basis").path("stateSerial").asLong()).isEqualTo(12);
        assertThat(doc.path("basis").path("configDigest").asText()).isEqualTo("sha256:abc");
        assertThat(doc.path("basis").path("configFiles").path("Pulumi.yaml").asText()).isEqualTo("sha256:def");
        assertThat(doc.path("basis").path("options").path("deleteData").get(0).asText()).isEqualTo("shop/old");
        JsonNode expand = stepOf(doc, STS);
        assertThat(expand.path("plannedAgainst").path("resourceVersion").asText()).isEqualTo("7");
        assertThat(expand.path("propagation").asText()).isEqualTo("Orphan");
        assertThat(expand.path("claims").get(0).path("name").asText()).isEqualTo("data-postgresql-1-0");
        assertThat(expand.path("claims").get(0).path("size").asText()).isEqualTo("10Gi");
        assertThat(expand.path("claims").get(0).path("plannedAgainst").path("resourceVersion").asText()).isEqualTo("3");
        assertThat(stepOf(doc, SECRET).path("plannedAgainst").asText()).isEqualTo("absent");
        assertThat(stepOf(doc, new ObjectRef("apps/v1", "Deployment", "shop", "api")).path("patch").path("metadata")
                .path("resourceVersion").asText()).isEqualTo("7");
        assertThat(stepOf(doc, LEFTOVER).path("propagation").asText()).isEqualTo("Background");
    }

    private static JsonNode stepOf(JsonNode doc, ObjectRef ref) {
        for (JsonNode s : doc.path("steps")) {
            if (s.path("object").path("kind").asText().equals(ref.kind()) && s.path("object").path("name").asText().equals(ref.name())) {
                return s;
            }
        }
        throw new AssertionError("no step on " + ref);
    }

    @Test
    void noSecretValueIsInPlainText() {
        String text = written();
        String password = password();
        assertThat(password).isNotBlank();
        assertThat(text).doesNotContain(password)
                .doesNotContain(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
        JsonNode data = stepOf(SavedPlan.check(text.getBytes(StandardCharsets.UTF_8)).document(), SECRET).path("desired").path("data");
        assertThat(data.path("PASSWORD").path("secure").asText()).startsWith("v1:");
    }

    @Test
    void aFileThatIsNotWholeOrWasChangedIsRefused() {
        String text = written();
        assertThat(unreadable(text.substring(0, text.length() / 2)).getMessage())
                .isEqualTo("is not a whole plan file (it is not complete JSON: truncated, or not a plan at all)");
        assertThat(unreadable(text.replace("\"reason\" : \"configuration", "\"reason\" : \"Configuration")).getMessage())
                .isEqualTo("does not match its checksum: it was changed or damaged after `dbstack preview --out` wrote it");
        assertThat(unreadable(text.replace("\"Orphan\"", "\"Background\"")).getMessage()).contains("does not match its checksum");
        assertThat(unreadable(text.replaceFirst("\"checksum\" : \"sha256:[0-9a-f]+\"", "\"checksum\" : \"\"")).getMessage())
                .contains("does not match its checksum");
        assertThat(unreadable("{\"some\": \"json\"}").getMessage()).isEqualTo("is not a dbstack plan file");
        assertThat(unreadable("").getMessage()).startsWith("is not a whole plan file");
    }

    @Test
    void aNewerFormatIsRefusedAsSuch() {
        String text = written().replace("\"format\" : 1,", "\"format\" : 3,");
        SavedPlan.Unreadable e = unreadable(text);
        assertThat(e.newer()).isTrue();
        assertThat(e.getMessage()).isEqualTo("was written by a newer dbstack (plan format 3; this dbstack reads format 2)");
    }

    @Test
    void secretsSealedWithAnotherKeyDoNotOpen() {
        SavedPlan.Checked checked = SavedPlan.check(written().getBytes(StandardCharsets.UTF_8));
        SavedPlan.Unreadable e = catchThrowableOfType(SavedPlan.Unreadable.class,
                () -> SavedPlan.open(checked, secrets(PassphraseCrypter.create("another passphrase"))));
        assertThat(e.getMessage()).isEqualTo("holds secrets this stack's key does not open: it was made for another stack,"
                + " or with another passphrase");
    }

    private static SavedPlan.Unreadable unreadable(String text) {
        SavedPlan.Unreadable e = catchThrowableOfType(SavedPlan.Unreadable.class,
                () -> SavedPlan.check(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    @Test
    void theIdIsTheChecksumAndDiffersForEverySave() {
        String a = written();
        String b = written();
        assertThat(SavedPlan.check(a.getBytes(StandardCharsets.UTF_8)).id())
                .as("secrets are sealed with a fresh nonce each time").isNotEqualTo(SavedPlan.check(b.getBytes(StandardCharsets.UTF_8)).id());
        assertThat(List.of(a, b)).allSatisfy(t -> assertThat(t).endsWith("}\n"));
    }
}
