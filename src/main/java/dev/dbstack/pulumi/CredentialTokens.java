package dev.dbstack.pulumi;

import com.pulumi.core.Output;
import dev.dbstack.catalog.CatalogTemplate;
import dev.dbstack.catalog.Component;
import dev.dbstack.model.EnvVar;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.CredentialSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets the one renderer serve Pulumi, where a credential is not a string but an {@link Output} known
 * only once {@code RandomPassword} has run. Render gets a unique placeholder per credential instead;
 * each Secret value holding placeholders then becomes an Output that substitutes the real values.
 * The placeholder's {@code ~} is what URI-encoding changes ({@code %7E}), so a placeholder that went
 * through the catalog's {@code urlencode} filter is recognised and gets the encoded value. Nothing
 * but Secret data may contain one.
 */
final class CredentialTokens implements CredentialSource {
    private static final Pattern TOKEN = Pattern.compile("DBSTACK(~|%7E)CREDENTIAL\\1(\\d+)\\1");

    /** What render asked for, in order: a credential to generate, or a value the configuration supplies. */
    record Wanted(String token, ServiceId service, String name, int length, Optional<String> supplied) {}

    private final List<Wanted> wanted = new ArrayList<>();
    private final Map<String, Output<String>> values = new LinkedHashMap<>();

    @Override
    public SecretValue credential(ServiceId service, String name, Component.Credential spec, Optional<SecretValue> supplied) {
        return SecretValue.plain(want(service, name, Math.max(spec.length(), 16), supplied.map(SecretValue::reveal)));
    }

    /** A container's own {@code secure:} env value. */
    String envSecret(ServiceId service, EnvVar env) {
        return want(service, "env-" + env.name(), 0, Optional.of(env.secret().reveal()));
    }

    private String want(ServiceId service, String name, int length, Optional<String> supplied) {
        String token = "DBSTACK~CREDENTIAL~" + wanted.size() + "~";
        wanted.add(new Wanted(token, service, name, length, supplied));
        return token;
    }

    List<Wanted> wantedBy(ServiceId service) {
        return wanted.stream().filter(w -> w.service().equals(service)).toList();
    }

    void bind(Wanted w, Output<String> value) {
        values.put(w.token(), value);
    }

    static boolean containsToken(String text) {
        return TOKEN.matcher(text).find();
    }

    /** {@code text} with every placeholder replaced by its value; secret, and dependent on where the values come from. */
    Output<String> resolve(String text) {
        List<String> found = new ArrayList<>();
        List<Output<String>> parts = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            if (found.contains(m.group())) continue;
            Output<String> value = values.get("DBSTACK~CREDENTIAL~" + m.group(2) + "~");
            if (value == null) throw new IllegalStateException("credential " + m.group() + " used before it was bound");
            found.add(m.group());
            parts.add(m.group(1).equals("~") ? value : value.applyValue(CatalogTemplate::urlencode));
        }
        if (found.isEmpty()) return Output.of(text);
        return Output.all(parts).applyValue(resolved -> {
            String out = text;
            for (int i = 0; i < found.size(); i++) out = out.replace(found.get(i), resolved.get(i));
            return out;
        }).asSecret();
    }
}
