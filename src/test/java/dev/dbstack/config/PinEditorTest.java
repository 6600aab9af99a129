package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.model.UserInputException;
import org.junit.jupiter.api.Test;

class PinEditorTest {
    private static final String BLOCK = """
            # the shop stack
            config:
              dbstack:apps:
                - name: shop-a   # first
                  profile: shop@1.0.0   # pinned on purpose
                - name: shop-b
                  profile: "shop@1.0.0"
                - {name: shop-c, profile: 'shop@1.0.0', clusterGroup: g}
                - {name: shop-d,profile: shop@1.0.0}
              dbstack:profiles: []   # elsewhere
            """;

    @Test
    void onlyThePinOfTheNamedAppChangesInItsOwnQuoting() {
        assertThat(PinEditor.withPin(BLOCK, "s.yaml", "shop-a", "shop@1.2.0"))
                .isEqualTo(BLOCK.replace("profile: shop@1.0.0   # pinned", "profile: shop@1.2.0   # pinned"));
        assertThat(PinEditor.withPin(BLOCK, "s.yaml", "shop-b", "shop@1.2.0"))
                .isEqualTo(BLOCK.replace("profile: \"shop@1.0.0\"", "profile: \"shop@1.2.0\""));
        assertThat(PinEditor.withPin(BLOCK, "s.yaml", "shop-c", "shop@1.2.0"))
                .isEqualTo(BLOCK.replace("'shop@1.0.0'", "'shop@1.2.0'"));
        assertThat(PinEditor.withPin(BLOCK, "s.yaml", "shop-d", "shop@2.0.0-rc.1"))
                .isEqualTo(BLOCK.replace("shop-d,profile: shop@1.0.0}", "shop-d,profile: shop@2.0.0-rc.1}"));
    }

    @Test
    void jsonStackFilesStayJson() {
        String json = "{\"config\": {\"dbstack:apps\": [{\"name\": \"a\", \"profile\": \"p@1.0.0\"}]}}\n";
        assertThat(PinEditor.withPin(json, "s.json", "a", "p@1.1.0")).isEqualTo(json.replace("p@1.0.0", "p@1.1.0"));
    }

    @Test
    void aPinWrittenAsAnAliasBecomesItsOwnValueAndTheAnchorStays() {
        String text = "x: &p shop@1.0.0\nconfig:\n  dbstack:apps:\n    - name: a\n      profile: *p\n";
        assertThat(PinEditor.withPin(text, "s.yaml", "a", "shop@1.2.0")).isEqualTo(text.replace("*p", "shop@1.2.0"));
    }

    @Test
    void anAppWithoutAPinInTheFileIsRefused() {
        assertThatThrownBy(() -> PinEditor.withPin(BLOCK, "s.yaml", "nope", "shop@1.2.0"))
                .isInstanceOf(UserInputException.class).hasMessageContaining("Nothing was changed");
    }
}
