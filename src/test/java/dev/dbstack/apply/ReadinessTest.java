package dev.dbstack.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.apply.Readiness.State;
import dev.dbstack.apply.Readiness.Verdict;
import dev.dbstack.catalog.ReadyCondition;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind's readiness check on live objects as the API server returns them, and the catalog's conditions. */
class ReadinessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Verdict check(Readiness r, String live) {
        return r.check(json(live));
    }

    @Test
    void statefulSetAllReplicasReadyOnTheCurrentRevisionAndGeneration() {
        String spec = "'metadata': {'generation': 2}, 'spec': {'replicas': 3}, ";
        assertThat(check(Readiness.STATEFUL_SET, "{" + spec + "'status': {'observedGeneration': 2, 'replicas': 3,"
                + " 'readyReplicas': 3, 'currentRevision': 'r2', 'updateRevision': 'r2'}}")).isEqualTo(Verdict.READY);
        assertThat(check(Readiness.STATEFUL_SET, "{" + spec + "'status': {'observedGeneration': 2, 'replicas': 3,"
                + " 'readyReplicas': 1}}")).isEqualTo(Verdict.notYet("1/3 replicas ready"));
        assertThat(check(Readiness.STATEFUL_SET, "{" + spec + "'status': {'observedGeneration': 1, 'replicas': 3,"
                + " 'readyReplicas': 3}}")).isEqualTo(Verdict.notYet("the controller has not yet seen generation 2"));
        assertThat(check(Readiness.STATEFUL_SET, "{" + spec + "'status': {'observedGeneration': 2, 'replicas': 3,"
                + " 'readyReplicas': 3, 'currentRevision': 'r1', 'updateRevision': 'r2'}}"))
                .isEqualTo(Verdict.notYet("rolling update to revision r2 in progress"));
        assertThat(check(Readiness.STATEFUL_SET, "{" + spec + "'status': {'observedGeneration': 2, 'replicas': 4,"
                + " 'readyReplicas': 4}}").state()).isEqualTo(State.NOT_YET);
        assertThat(check(Readiness.STATEFUL_SET, "{'spec': {}, 'status': {'replicas': 1, 'readyReplicas': 1}}"))
                .as("one replica when spec.replicas is not set; no revisions set").isEqualTo(Verdict.READY);
        assertThat(check(Readiness.STATEFUL_SET, "{'spec': {'replicas': 1}}")).isEqualTo(Verdict.notYet("0/1 replicas ready"));
    }

    @Test
    void deploymentUpdatedAndAvailableOrFailedPastItsDeadline() {
        String spec = "'metadata': {'generation': 1}, 'spec': {'replicas': 2}, ";
        assertThat(check(Readiness.DEPLOYMENT, "{" + spec + "'status': {'observedGeneration': 1, 'replicas': 2,"
                + " 'updatedReplicas': 2, 'availableReplicas': 2}}")).isEqualTo(Verdict.READY);
        assertThat(check(Readiness.DEPLOYMENT, "{" + spec + "'status': {'observedGeneration': 1, 'replicas': 2,"
                + " 'updatedReplicas': 2, 'availableReplicas': 1}}")).isEqualTo(Verdict.notYet("1/2 replicas available"));
        assertThat(check(Readiness.DEPLOYMENT, "{" + spec + "'status': {'observedGeneration': 1, 'replicas': 3,"
                + " 'updatedReplicas': 2, 'availableReplicas': 2}}")).isEqualTo(Verdict.notYet("old replicas are terminating"));
        assertThat(check(Readiness.DEPLOYMENT, "{" + spec + "'status': {'observedGeneration': 1, 'conditions': [{'type':"
                + " 'Progressing', 'status': 'False', 'reason': 'ProgressDeadlineExceeded', 'message': 'ReplicaSet x has"
                + " timed out progressing.'}]}}")).isEqualTo(Verdict.failed("rollout exceeded its progress deadline:"
                + " ReplicaSet x has timed out progressing."));
    }

    @Test
    void jobSucceededOrFailed() {
        assertThat(check(Readiness.JOB, "{'spec': {'completions': 2}, 'status': {'succeeded': 2}}")).isEqualTo(Verdict.READY);
        assertThat(check(Readiness.JOB, "{'spec': {}, 'status': {}}")).isEqualTo(Verdict.notYet("0/1 completions"));
        assertThat(check(Readiness.JOB, "{'spec': {}, 'status': {'conditions': [{'type': 'Failed', 'status': 'True',"
                + " 'reason': 'BackoffLimitExceeded', 'message': 'Job has reached the specified backoff limit'}]}}"))
                .isEqualTo(Verdict.failed("the Job failed: BackoffLimitExceeded Job has reached the specified backoff limit"));
    }

    @Test
    void claimBound() {
        assertThat(check(Readiness.PERSISTENT_VOLUME_CLAIM, "{'status': {'phase': 'Bound'}}")).isEqualTo(Verdict.READY);
        assertThat(check(Readiness.PERSISTENT_VOLUME_CLAIM, "{'spec': {}}")).isEqualTo(Verdict.notYet("phase Pending"));
        assertThat(check(Readiness.PERSISTENT_VOLUME_CLAIM, "{'status': {'phase': 'Lost'}}").state()).isEqualTo(State.FAILED);
    }

    @Test
    void kindsWithoutACheckAreReadyOnceWrittenAndTheCatalogsConditionsFollowTheKindsCheck() {
        ReadinessChecks checks = ReadinessChecks.builtIn();
        assertThat(checks.of(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build()))
                .as("nothing to read back").isNull();

        Readiness sts = checks.of(new StatefulSetBuilder().withNewMetadata().withName("db")
                .addToAnnotations(Labels.READY_WHEN, "[\"status.availableReplicas == spec.replicas\"]").endMetadata().build());
        assertThat(sts.check(json("{'spec': {'replicas': 1}, 'status': {'replicas': 1, 'readyReplicas': 0}}")))
                .as("the kind's check first").isEqualTo(Verdict.notYet("0/1 replicas ready"));
        assertThat(sts.check(json("{'spec': {'replicas': 1}, 'status': {'replicas': 1, 'readyReplicas': 1}}")))
                .isEqualTo(Verdict.notYet("status.availableReplicas is not set"));
        assertThat(sts.check(json("{'spec': {'replicas': 1}, 'status': {'replicas': 1, 'readyReplicas': 1, 'availableReplicas': 1}}")))
                .isEqualTo(Verdict.READY);

        ReadinessChecks custom = checks.with("ConfigMap", live -> Verdict.notYet("never"));
        assertThat(custom.of(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build()).check(json("{}")))
                .isEqualTo(Verdict.notYet("never"));
        assertThat(checks.of(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build()))
                .as("with() leaves the original alone").isNull();
    }

    @Test
    void conditionsCompareFieldsAndLiterals() {
        JsonNode live = json("{'spec': {'replicas': 3}, 'status': {'readyReplicas': 2, 'phase': 'Running', 'leader': true}}");
        List<String> holding = List.of("status.readyReplicas >= 2", "status.readyReplicas < spec.replicas",
                "status.phase == \"Running\"", "status.phase != \"Failed\"", "status.leader == true", "spec.replicas > -1",
                "  status.readyReplicas==2  ");
        for (String c : holding) assertThat(ReadyCondition.parse(c).unmet(live)).as(c).isEmpty();

        assertThat(ReadyCondition.parse("status.readyReplicas == spec.replicas").unmet(live))
                .contains("status.readyReplicas == spec.replicas (status.readyReplicas is 2, spec.replicas is 3)");
        assertThat(ReadyCondition.parse("status.phase == \"Ready\"").unmet(live))
                .contains("status.phase == \"Ready\" (status.phase is \"Running\")");
        assertThat(ReadyCondition.parse("status.missing >= 1").unmet(live)).contains("status.missing is not set");
        assertThat(ReadyCondition.parse("spec.replicas == status.gone").unmet(live)).contains("status.gone is not set");
        assertThat(ReadyCondition.parse("status.phase > 1").unmet(live)).as("not a number").isPresent();
    }

    @Test
    void malformedConditionsSayWhatIsExpected() {
        for (String bad : List.of("", "status.readyReplicas", "status.x = 1", "== 1", "status.x >= \"a\"", "status.x == 1.5",
                "status.x == 'single'", "status[0].x == 1")) {
            IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> ReadyCondition.parse(bad));
            assertThat(e).as(bad).isNotNull();
        }
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> ReadyCondition.parse("status.x >= \"a\"")))
                .hasMessageContaining(">= compares numbers");
    }
}
