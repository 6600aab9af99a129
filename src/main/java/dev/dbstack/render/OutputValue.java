package dev.dbstack.render;

/**
 * A rendered output variable. Plain outputs carry their value; secret outputs carry only where the
 * value lives (a key of the service's credentials Secret), so they reach consumers as a
 * {@code secretKeyRef} and never as text in a spec, a plan or a log.
 */
public record OutputValue(String name, String value, String secretName, String secretKey, String description) {

    public static OutputValue plain(String name, String value, String description) {
        return new OutputValue(name, value, null, null, description);
    }

    public static OutputValue secret(String name, String secretName, String secretKey, String description) {
        return new OutputValue(name, null, secretName, secretKey, description);
    }

    public boolean isSecret() {
        return secretName != null;
    }

    /** What a person may see: the value, or {@code [secret]}. */
    public String display() {
        return isSecret() ? dev.dbstack.model.SecretValue.REDACTED : value;
    }
}
