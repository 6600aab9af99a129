package dev.dbstack.model;

import java.util.Objects;

/**
 * A value that must never be shown: a {@code secure:} config entry or a generated credential.
 * {@link #toString()} is redacted on purpose so that a careless log line or string concatenation
 * cannot leak it; read the value only through {@link #reveal()} where it is really needed.
 */
public final class SecretValue {
    public static final String REDACTED = "[secret]";

    private final String ciphertext;
    private final String plaintext;

    private SecretValue(String ciphertext, String plaintext) {
        this.ciphertext = ciphertext;
        this.plaintext = plaintext;
    }

    /** A {@code secure: v1:...} value as written in a stack file, not decrypted yet. */
    public static SecretValue encrypted(String ciphertext) {
        return new SecretValue(Objects.requireNonNull(ciphertext), null);
    }

    public static SecretValue plain(String plaintext) {
        return new SecretValue(null, Objects.requireNonNull(plaintext));
    }

    public boolean isDecrypted() {
        return plaintext != null;
    }

    public String ciphertext() {
        return ciphertext;
    }

    public String reveal() {
        if (plaintext == null) throw new IllegalStateException("secret value has not been decrypted");
        return plaintext;
    }

    @Override
    public String toString() {
        return REDACTED;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretValue other
                && Objects.equals(ciphertext, other.ciphertext)
                && Objects.equals(plaintext, other.plaintext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ciphertext, plaintext);
    }
}
