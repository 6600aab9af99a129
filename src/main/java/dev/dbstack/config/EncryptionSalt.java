package dev.dbstack.config;

import dev.dbstack.model.SourceRef;

/**
 * A stack file's {@code encryptionsalt} as the YAML parser read it (quoted or plain, with or
 * without a trailing comment), and where it is, for messages.
 */
public record EncryptionSalt(String value, SourceRef source) {
    /** The top-level key, as Pulumi writes it. */
    public static final String KEY = "encryptionsalt";
}
