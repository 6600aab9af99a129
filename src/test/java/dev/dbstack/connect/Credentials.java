package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Component;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.GeneratedCredentials;
import java.util.Map;
import java.util.Optional;

/** The two kinds of password every connection test runs with. */
enum Credentials {
    /** Whatever the catalog's generator produces: no {@code secure:} value in the stack file. */
    GENERATED,
    /** A user's own password, a {@code secure:} value in the stack file, holding {@link #RESERVED}. */
    SUPPLIED;

    /**
     * Every character RFC 3986 reserves (gen-delims {@code :/?#[]@} and sub-delims {@code !$&'()*+,;=}), the percent
     * sign, a space and a letter outside ASCII.
     */
    static final String RESERVED = "a:/?#[]@!$&'()*+,;=%b c\u00e9";

    /** The stack file's credentials for a catalog credential called {@code name}. */
    Map<String, String> supplied(String name) {
        return this == SUPPLIED ? Map.of(name, RESERVED) : Map.of();
    }

    /** Checks that {@code password} (as rendered) is what this kind promises. */
    void check(String password) {
        if (this == SUPPLIED) assertThat(password).isEqualTo(RESERVED);
        else assertThat(password).hasSizeGreaterThanOrEqualTo(16).matches("[A-Za-z0-9]+");
    }

    /** A password as this kind would have it, for harness tests of types whose catalog file is not here yet. */
    String password() {
        if (this == SUPPLIED) return RESERVED;
        return new GeneratedCredentials().credential(new ServiceId("harness", "db"), "password",
                new Component.Credential(32, "harness"), Optional.empty()).reveal();
    }
}
