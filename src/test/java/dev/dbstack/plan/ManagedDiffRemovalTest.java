package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@link ManagedDiff#removedPaths}: what the last apply set, desired dropped, and live still holds. */
class ManagedDiffRemovalTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void aDroppedAnnotationOrArgumentListIsARemovalOnlyWhileLiveHoldsIt() throws Exception {
        JsonNode last = json("{'metadata': {'annotations': {'a': '1', 'b': '2'}}, 'spec': {'containers': [{'name': 'x', 'args': ['-c', 'y=1']}]}}");
        JsonNode desired = json("{'metadata': {'annotations': {'a': '1'}}, 'spec': {'containers': [{'name': 'x'}]}}");
        JsonNode live = json("{'metadata': {'annotations': {'a': '1', 'b': '2', 'c': '3'}}, 'spec': {'containers': [{'name': 'x', 'args': ['-c', 'y=1']}]}}");
        assertThat(ManagedDiff.removedPaths(desired, last, live)).containsExactly("metadata.annotations.b", "spec.containers[0].args");
        // Gone from live already (or never ours: c): nothing to remove.
        JsonNode cleaned = json("{'metadata': {'annotations': {'a': '1', 'c': '3'}}, 'spec': {'containers': [{'name': 'x'}]}}");
        assertThat(ManagedDiff.removedPaths(desired, last, cleaned)).isEmpty();
        assertThat(ManagedDiff.removedPaths(desired, null, live)).isEmpty();
        assertThat(ManagedDiff.removedPaths(last, last, live)).isEmpty();
    }
}
