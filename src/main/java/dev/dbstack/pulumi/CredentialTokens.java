package dev.dbstack.pulumi;

import com.pulumi.core.Output;
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
 * only once {@code RandomPassword} has run. Render gets a unique placeholder per credential instead
 * (letters and digits, so URI-encoding leaves it intact); each Secret value holding placeholders then
 * becomes an Output that substitutes the real values. Nothing but Secret data may contain one.
 */
final class CredentialTokens implements CredentialSource {
    private static final Pattern TOKEN = Pattern.compile("DBSTACKCREDENTIAL(\\d+)Z");

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
        String token = "DBSTACKCREDENTIAL" + wanted.size() + "Z";
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
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) if (!tokens.contains(m.group())) tokens.add(m.group());
        if (tokens.isEmpty()) return Output.of(text);
        List<Output<String>> parts = tokens.stream().map(t -> {
            Output<String> v = values.get(t);
            if (v == null) throw new IllegalStateException("credential " + t + " used before its service was registered");
            return v;
        }).toList();
        return Output.all(parts).applyValue(resolved -> {
            String out = text;
            for (int i = 0; i < tokens.size(); i++) out = out.replace(tokens.get(i), resolved.get(i));
            return out;
        }).asSecret();
    }
}
