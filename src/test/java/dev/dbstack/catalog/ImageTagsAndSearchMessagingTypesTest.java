package dev.dbstack.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.catalog.VersionChange.Verdict;
import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog fields that form image tags ({@code imageTag}, {@code familyTags}), and Elasticsearch's and RabbitMQ's version rules. */
class ImageTagsAndSearchMessagingTypesTest {
    private static final Catalog CATALOG = Catalog.builtIn();

    @Test
    void familyTagsPinABareFamilyAndAFullVersionIsItsOwnTag() {
        Component es = CATALOG.get("elasticsearch");
        assertThat(es.imageFor("9.5")).isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:9.5.2");
        assertThat(es.imageFor("8.19")).isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:8.19.20");
        assertThat(es.imageFor("9.4.1")).isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:9.4.1");
        assertThat(es.familyTags().keySet()).as("every family has a tag: the registry has none of its own")
                .containsExactlyInAnyOrderElementsOf(es.versions());
    }

    @Test
    void aTagTemplateShapesEveryVersion() {
        Component mq = CATALOG.get("rabbitmq");
        assertThat(mq.imageFor("4.3")).isEqualTo("docker.io/library/rabbitmq:4.3-management");
        assertThat(mq.imageFor("4.1.8")).isEqualTo("docker.io/library/rabbitmq:4.1.8-management");
        assertThat(CATALOG.get("redis").imageFor("8.2")).as("without either, the version is the tag")
                .isEqualTo("docker.io/library/redis:8.2");
    }

    @Test
    void badTagFieldsAreReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String redis = Files.readString(Path.of("components/redis.yaml"));
        Files.writeString(dir.resolve("components/redis.yaml"), redis.replace("maxReplicas: 5",
                "maxReplicas: 5\nimageTag: {release: \"{{version}}-alpine x\"}\nfamilyTags: {\"7.2\": \"7.2\", \"8.2\": \"8.0.1\", \"6.0\": \"6.0.1\", \"7.4\": \"7.4.2\"}"));
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(e.problems()).extracting(Problem::render).containsExactlyInAnyOrder(
                "components/redis.yaml: imageTag.release: '{{version}}-alpine x' is not an image tag template such as v{{version}}",
                "components/redis.yaml: familyTags.7.2: '7.2' is not a release of 7.2 such as 7.2.1",
                "components/redis.yaml: familyTags.8.2: '8.0.1' is not a release of 8.2 such as 8.2.1",
                "components/redis.yaml: familyTags.6.0: names no family of versions [7.2, 7.4, 8.0, 8.2]");
    }

    private static Verdict verdict(String type, String from, String to) {
        return VersionChange.judge(CATALOG.get(type), from, to).verdict();
    }

    @Test
    void elasticsearchUpgradesFromTheLastEightMinorAndNeverGoesBack() {
        assertThat(verdict("elasticsearch", "8.19", "9.5")).isEqualTo(Verdict.SAFE);
        assertThat(verdict("elasticsearch", "8.19.3", "9.4")).isEqualTo(Verdict.SAFE);
        assertThat(verdict("elasticsearch", "9.4", "9.5")).isEqualTo(Verdict.SAFE);
        assertThat(verdict("elasticsearch", "9.5", "9.4")).isEqualTo(Verdict.REFUSED);
        assertThat(verdict("elasticsearch", "9.5.2", "9.5.1")).as("not even a patch release back").isEqualTo(Verdict.REFUSED);
        assertThat(VersionChange.judge(CATALOG.get("elasticsearch"), "8.19", "9.5").explanation())
                .contains("GET _migration/deprecations").contains("no way back to 8.19");
    }

    @Test
    void rabbitmqUpgradesOneSeriesAtATimeOnceItsFeatureFlagsAreEnabled() {
        assertThat(verdict("rabbitmq", "4.2", "4.3")).isEqualTo(Verdict.NEEDS_MAJOR_UPGRADE_FLAG);
        assertThat(VersionChange.judge(CATALOG.get("rabbitmq"), "4.2", "4.3").explanation())
                .contains("only when every feature flag of 4.2 is enabled: run rabbitmqctl enable_feature_flag all while 4.2 runs");
        assertThat(verdict("rabbitmq", "4.1", "4.3")).isEqualTo(Verdict.REFUSED);
        assertThat(VersionChange.judge(CATALOG.get("rabbitmq"), "4.1", "4.3").explanation()).contains("4.1 → 4.2 → 4.3");
        assertThat(verdict("rabbitmq", "4.3", "4.2")).isEqualTo(Verdict.REFUSED);
        assertThat(verdict("rabbitmq", "3.13.7", "4.0")).as("3.13 is the step to 4.x").isEqualTo(Verdict.NEEDS_MAJOR_UPGRADE_FLAG);
        assertThat(verdict("rabbitmq", "3.13", "4.1")).isEqualTo(Verdict.REFUSED);
    }
}
