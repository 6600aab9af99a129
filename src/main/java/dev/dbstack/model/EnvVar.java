package dev.dbstack.model;

/** One environment variable of a container layer: a template, or a {@code secure:} value. */
public record EnvVar(String name, Template template, SecretValue secret, SourceRef source) {
    public static EnvVar of(String name, Template template, SourceRef source) {
        return new EnvVar(name, template, null, source);
    }

    public static EnvVar secret(String name, SecretValue secret, SourceRef source) {
        return new EnvVar(name, null, secret, source);
    }

    public boolean isSecret() {
        return secret != null;
    }
}
