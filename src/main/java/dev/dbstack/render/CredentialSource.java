package dev.dbstack.render;

import dev.dbstack.catalog.Component;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceId;
import java.util.Optional;

/**
 * Supplies the plaintext of each credential render needs. Render stays pure: where values come
 * from (generated now, kept in state, decrypted from {@code secure:} config) is the caller's business.
 */
@FunctionalInterface
public interface CredentialSource {
    /**
     * @param supplied the layer's own {@code secure:} value for this credential, when it has one
     */
    SecretValue credential(ServiceId service, String name, Component.Credential spec, Optional<SecretValue> supplied);
}
