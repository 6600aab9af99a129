package dev.dbstack.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.model.SemVer;
import dev.dbstack.testing.TestProject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ProfileDiffTest {
    @Test
    void secretsAreNamedNeverShown() {
        String stack = """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - {name: api, type: container, image: a:1, env: {TOKEN: plain}}
                    - name: p
                      version: 1.0.1
                      layers:
                        - {name: db, type: postgresql, storage: 1, password: {secure: v1:c2FsdHNhbHRzYWx0:Y2lwaGVyY2lwaGVyY2lwaA==}}
                        - {name: api, type: container, image: a:1, env: {TOKEN: {secure: v1:bm9uY2Vub25jZTEy:dG9rZW50b2tlbnRva2VudG9rZW4=}}}
                  dbstack:apps: [{name: a, profile: p@1.0.0}]
                """;
        String text = TestProject.inTemporaryDirectory("test", stack, p -> UpdatePrinter.text(ProfileUpdates.all(p.model(), p.catalog())));
        assertThat(text).contains("credential password: added, (secret)").contains("env TOKEN: plain → (secret)")
                .doesNotContain("v1:").doesNotContain("Y2lw");
    }

    @Test
    void versionsAreOrderedAsSemverSays() {
        List<String> sorted = Stream.of("1.10.0", "1.2.0", "1.2.0-rc.1", "1.2.0-beta.11", "1.2.0-beta.2", "2.0.0", "1.2.0-alpha")
                .sorted(SemVer.ORDER).toList();
        assertThat(sorted).containsExactly("1.2.0-alpha", "1.2.0-beta.2", "1.2.0-beta.11", "1.2.0-rc.1", "1.2.0", "1.10.0", "2.0.0");
    }
}
