package dev.dbstack.config;

import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes naming rules, with messages that say which rule and why it applies. */
final class Names {
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    /**
     * A layer becomes a Service, a StatefulSet and Pods {@code <layer>-<n>}; the StatefulSet
     * controller labels pods with {@code <name>-<10-char hash>}, which must stay within 63.
     */
    static final int MAX_LAYER_NAME = 52;

    private Names() {}

    /** App deployments and namespaces: an RFC 1123 label. */
    static Optional<String> checkDnsLabel(String name) {
        if (name.length() > 63) return Optional.of("'" + name + "' is longer than 63 characters");
        if (!DNS_1123_LABEL.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a valid Kubernetes name: use lower-case letters, digits and '-',"
                    + " starting and ending with a letter or digit (RFC 1123 label)");
        }
        return Optional.empty();
    }

    /** Service layers name Services, so they follow the stricter RFC 1035 label. */
    static Optional<String> checkLayerName(String name) {
        if (name.length() > MAX_LAYER_NAME) {
            return Optional.of("'" + name + "' is longer than " + MAX_LAYER_NAME
                    + " characters (its StatefulSet's pod labels must fit in 63)");
        }
        if (!DNS_1035_LABEL.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a valid Kubernetes Service name: use lower-case letters, digits"
                    + " and '-', starting with a letter and ending with a letter or digit (RFC 1035 label)");
        }
        return Optional.empty();
    }

    static Optional<String> checkEnvName(String name) {
        return ENV_NAME.matcher(name).matches() ? Optional.empty()
                : Optional.of("'" + name + "' is not a valid environment variable name (letters, digits, '_'; not starting with a digit)");
    }

    static Optional<String> checkPortName(String name) {
        if (name.length() > 15 || !PORT_NAME.matcher(name).matches() || !name.matches(".*[a-z].*")) {
            return Optional.of("'" + name + "' is not a valid port name (at most 15 lower-case letters, digits and '-', with a letter)");
        }
        return Optional.empty();
    }

    static boolean isQuantity(String text) {
        return QUANTITY.matcher(text).matches();
    }

    static boolean isSemver(String text) {
        return SEMVER.matcher(text).matches();
    }
}
