package dev.dbstack.testing;

import dev.dbstack.catalog.Component;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.CredentialSource;
import java.util.Optional;

/** Predictable credentials for golden files: {@code <layer>-<name>-s3cr3t/&?} (with URI-hostile characters). */
public final class FixedCredentials implements CredentialSource {
    @Override
    public SecretValue credential(ServiceId service, String name, Component.Credential spec, Optional<SecretValue> supplied) {
        return SecretValue.plain(service.layer() + "-" + name + "-s3cr3t/&?");
    }
}
