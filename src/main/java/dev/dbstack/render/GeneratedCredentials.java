package dev.dbstack.render;

import dev.dbstack.catalog.Component;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceId;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Generates credentials with a CSPRNG, once per service and name for the lifetime of this object,
 * and uses a layer's own decrypted {@code secure:} value where it supplies one. Letters and digits
 * only: every driver, shell and URI accepts them unescaped.
 */
public final class GeneratedCredentials implements CredentialSource {
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private final SecureRandom random = new SecureRandom();
    private final Map<String, SecretValue> generated = new HashMap<>();

    @Override
    public synchronized SecretValue credential(ServiceId service, String name, Component.Credential spec,
                                               Optional<SecretValue> supplied) {
        if (supplied.isPresent() && supplied.get().isDecrypted()) return supplied.get();
        return generated.computeIfAbsent(service + "/" + name, k -> SecretValue.plain(generate(Math.max(spec.length(), 16))));
    }

    private String generate(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        return sb.toString();
    }
}
