package dev.dbstack.config;

import static dev.dbstack.model.Suggest.quote;

import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes naming rules, with messages that say which rule and why it applies. */
public final class Names {
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** Kubernetes' quantity: a number (12, 1.5, .5, 5.) with an SI or binary suffix or a decimal exponent (1e3). */
    private static final Pattern QUANTITY = Pattern.compile(
            "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]{1,3}|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    /** Docker's reference grammar (distribution/reference): [host[:port]/]path[:tag][@digest]. */
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    /** The first part names a registry only with a dot, a port or as localhost; otherwise it is part of the path. */
    private static final String REGISTRY = "(?:localhost|" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")+"
            + "|\\[[0-9a-fA-F:.]+]|" + DOMAIN_COMPONENT + "(?=:[0-9]))(?::[0-9]+)?";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern IMAGE = Pattern.compile(
            "(?:" + REGISTRY + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*"
            + "(?::[\\w][\\w.-]{0,127})?"
            + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");
    private static final Pattern SHA256_DIGEST = Pattern.compile(".*@sha256:(?![0-9a-fA-F]{64}$).*");
    /** A release as image tags spell it: 17, 8.4, 8.0.39, optionally with a suffix such as -alpine. */
    private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+)*(-[A-Za-z0-9][A-Za-z0-9.]*)?");
    /** Pulumi's rule for project and stack names. */
    private static final Pattern PULUMI_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    /**
     * A layer becomes a Service, a StatefulSet and Pods {@code <layer>-<n>}; the StatefulSet
     * controller labels pods with {@code <name>-<10-char hash>}, which must stay within 63.
     */
    static final int MAX_LAYER_NAME = 52;

    private Names() {}

    /** App deployments and namespaces: an RFC 1123 label. */
    public static Optional<String> checkDnsLabel(String name) {
        if (name.length() > 63) return Optional.of(quote(name) + " is longer than 63 characters");
        if (!DNS_1123_LABEL.matcher(name).matches()) {
            return Optional.of(quote(name) + " is not a valid Kubernetes name: use lower-case letters, digits and '-',"
                    + " starting and ending with a letter or digit (RFC 1123 label)");
        }
        return Optional.empty();
    }

    /** Service layers name Services, so they follow the stricter RFC 1035 label. */
    static Optional<String> checkLayerName(String name) {
        if (name.length() > MAX_LAYER_NAME) {
            return Optional.of(quote(name) + " is longer than " + MAX_LAYER_NAME
                    + " characters (its StatefulSet's pod labels must fit in 63)");
        }
        if (!DNS_1035_LABEL.matcher(name).matches()) {
            return Optional.of(quote(name) + " is not a valid Kubernetes Service name: use lower-case letters, digits"
                    + " and '-', starting with a letter and ending with a letter or digit (RFC 1035 label)");
        }
        return Optional.empty();
    }

    static Optional<String> checkEnvName(String name) {
        return ENV_NAME.matcher(name).matches() ? Optional.empty()
                : Optional.of(quote(name) + " is not a valid environment variable name (letters, digits, '_'; not starting with a digit)");
    }

    static Optional<String> checkPortName(String name) {
        if (name.length() > 15 || !PORT_NAME.matcher(name).matches() || !name.matches(".*[a-z].*")) {
            return Optional.of(quote(name) + " is not a valid port name (at most 15 lower-case letters, digits and '-', with a letter)");
        }
        return Optional.empty();
    }

    /** Where Kubernetes wants a DNS subdomain (a storage class, a cluster domain): RFC 1123 labels joined by dots. */
    static Optional<String> checkDnsSubdomain(String name) {
        if (name.length() > 253) return Optional.of(quote(name) + " is longer than 253 characters");
        for (String label : name.split("\\.", -1)) {
            if (label.length() > 63 || !DNS_1123_LABEL.matcher(label).matches()) {
                return Optional.of(quote(name) + " is not a valid DNS subdomain: lower-case letters, digits and '-' in"
                        + " dot-separated parts that start and end with a letter or digit (RFC 1123)");
            }
        }
        return Optional.empty();
    }

    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /** A label key as Kubernetes takes it: an optional DNS-subdomain prefix and '/', then a name of at most 63. */
    static Optional<String> checkLabelKey(String key) {
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = key.substring(slash + 1);
        if (prefix != null && (prefix.isEmpty() || checkDnsSubdomain(prefix).isPresent())) {
            return Optional.of(quote(key) + " is not a valid label key: its prefix before '/' must be a DNS subdomain"
                    + " such as example.com");
        }
        if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return Optional.of(quote(key) + " is not a valid label key: at most 63 letters, digits, '-', '_' and '.',"
                    + " starting and ending with a letter or digit (optionally prefixed with a DNS subdomain and '/')");
        }
        return Optional.empty();
    }

    /** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
    static Optional<String> checkLabelValue(String value) {
        if (value.isEmpty() || value.length() <= 63 && LABEL_NAME.matcher(value).matches()) return Optional.empty();
        return Optional.of(quote(value) + " is not a valid label value: at most 63 letters, digits, '-', '_' and '.',"
                + " starting and ending with a letter or digit");
    }

    /** An external server's address: an IPv4 or IPv6 address, or a DNS name (an RFC 1123 subdomain). */
    static Optional<String> checkHost(String host) {
        if (dev.dbstack.model.Deployment.isIpv4(host) || dev.dbstack.model.Deployment.isIpv6(host)) return Optional.empty();
        if (host.matches("[0-9.]+")) return Optional.of(quote(host) + " is not an IPv4 address (four numbers 0-255)");
        if (host.contains(":")) return Optional.of(quote(host) + " is not an IPv6 address (and a host name has no ':'; give"
                + " the port as port:)");
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (checkDnsSubdomain(name.toLowerCase(java.util.Locale.ROOT)).isPresent()) {
            return Optional.of(quote(host) + " is neither an IP address nor a DNS name (letters, digits and '-' in"
                    + " dot-separated parts)");
        }
        return Optional.empty();
    }

    /** A host as the cluster takes it: a DNS name in lower case without a trailing dot; an address as written. */
    static String normalHost(String host) {
        if (dev.dbstack.model.Deployment.isIpv4(host) || dev.dbstack.model.Deployment.isIpv6(host)) return host;
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /** An image reference as a container runtime parses it, with the commonest mistakes named. */
    static Optional<String> checkImage(String ref) {
        String form = " (expected [registry/]repository[:tag][@sha256:digest], e.g. ghcr.io/acme/api:1.2.3)";
        if (ref.isBlank()) return Optional.of("is empty" + form);
        if (ref.chars().anyMatch(ch -> Character.isWhitespace(ch) || Character.isISOControl(ch))) {
            return Optional.of(quote(ref) + " contains whitespace or control characters" + form);
        }
        if (ref.length() > 512) return Optional.of(quote(ref) + " is too long for an image reference");
        if (SHA256_DIGEST.matcher(ref).matches()) {
            return Optional.of(quote(ref) + " has a sha256 digest that is not 64 hexadecimal digits");
        }
        if (!IMAGE.matcher(ref).matches()) {
            String repository = ref.replaceFirst("@.*", "").replaceFirst(":[^/]*$", "");
            if (!repository.equals(repository.toLowerCase()) && IMAGE.matcher(ref.toLowerCase()).matches()) {
                return Optional.of(quote(ref) + " is not an image reference: repository names must be lower-case");
            }
            return Optional.of(quote(ref) + " is not an image reference" + form);
        }
        String name = ref.replaceFirst("@.*", "").replaceFirst(":[^/]*$", "");
        if (name.length() > 255) return Optional.of(quote(ref) + " has a repository name longer than 255 characters");
        return Optional.empty();
    }

    /** A database version: digits and dots as the catalog lists them, and image tags spell them. */
    static Optional<String> checkVersion(String version) {
        if (version.length() <= 128 && VERSION.matcher(version).matches()) return Optional.empty();
        return Optional.of(quote(version) + " is not a version: write a release such as 17 or 8.0.39 (digits separated"
                + " by dots, no wildcards, digests or paths)");
    }

    /** Project and stack names, as Pulumi accepts them. */
    static Optional<String> checkPulumiName(String name, String what) {
        if (name.isEmpty()) return Optional.of("the " + what + " name is empty");
        if (!PULUMI_NAME.matcher(name).matches()) {
            return Optional.of(quote(name) + " is not a valid " + what + " name: at most 100 letters, digits, '-', '_'"
                    + " and '.' (Pulumi's rule)");
        }
        return Optional.empty();
    }

    /** A stack name is also a label value on every object dbstack creates. */
    static Optional<String> checkStackName(String name) {
        Optional<String> pulumi = checkPulumiName(name, "stack");
        if (pulumi.isPresent()) return pulumi;
        if (name.length() > 63 || !Character.isLetterOrDigit(name.charAt(0))
                || !Character.isLetterOrDigit(name.charAt(name.length() - 1))) {
            return Optional.of(quote(name) + " is not a valid stack name for dbstack: it labels every object, so it has"
                    + " at most 63 characters and starts and ends with a letter or digit");
        }
        return Optional.empty();
    }

    static boolean isQuantity(String text) {
        return text.length() <= 64 && QUANTITY.matcher(text).matches();
    }

    /** A valid quantity's value (bytes for memory and storage, cores for CPU). */
    static java.math.BigDecimal amount(String quantity) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity));
    }

    static boolean isSemver(String text) {
        return SEMVER.matcher(text).matches();
    }
}
