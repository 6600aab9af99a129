package dev.dbstack.state;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Where a project's stacks keep their state, Pulumi-style: {@code file://} (the project's
 * {@code .dbstack/}, the default; {@code file://<dir>} for another directory) or
 * {@code kubernetes://<context>/<namespace>} (Secrets and a Lease in that namespace of that
 * kubeconfig context; the context {@code sandbox} is dbstack's embedded sandbox).
 */
public record BackendUrl(String scheme, String context, String namespace, String path) {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    public static final BackendUrl DEFAULT = new BackendUrl("file", null, null, "");

    public boolean isKubernetes() {
        return scheme.equals("kubernetes");
    }

    public boolean isSandbox() {
        return isKubernetes() && "sandbox".equals(context);
    }

    /**
     * @throws IllegalArgumentException with a message that says what is wrong and what is accepted
     */
    public static BackendUrl parse(String text) {
        String t = text.strip();
        if (t.startsWith("file://")) return new BackendUrl("file", null, null, t.substring("file://".length()));
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL (" + e.getReason() + "); " + FORMS);
        }
        String scheme = uri.getScheme();
        if (scheme == null) throw new IllegalArgumentException("'" + text + "' has no scheme; " + FORMS);
        switch (scheme) {
            case "file" -> throw new IllegalArgumentException("'" + text + "': write file:// (the project's .dbstack/) or"
                    + " file://<directory>");
            case "kubernetes" -> {
                String context = uri.getRawAuthority();
                String p = uri.getPath() == null ? "" : uri.getPath();
                if (context == null || context.isEmpty()) {
                    throw new IllegalArgumentException("'" + text + "' names no kubeconfig context (kubernetes://<context>/<namespace>,"
                            + " or kubernetes://sandbox/<namespace> for the embedded sandbox)");
                }
                String ns = p.startsWith("/") ? p.substring(1) : p;
                if (ns.endsWith("/")) ns = ns.substring(0, ns.length() - 1);
                if (ns.isEmpty()) {
                    throw new IllegalArgumentException("'" + text + "' names no namespace (kubernetes://" + context + "/<namespace>)");
                }
                if (!DNS_LABEL.matcher(ns).matches() || ns.length() > 63) {
                    throw new IllegalArgumentException("'" + ns + "' is not a Kubernetes namespace name (lowercase letters, digits"
                            + " and '-', at most 63)");
                }
                if (uri.getQuery() != null || uri.getFragment() != null) {
                    throw new IllegalArgumentException("'" + text + "' has a query or fragment; write kubernetes://<context>/<namespace>");
                }
                return new BackendUrl("kubernetes", context, ns, null);
            }
            default -> throw new IllegalArgumentException("unknown scheme '" + scheme + "' in '" + text + "'; " + FORMS);
        }
    }

    private static final String FORMS = "use file:// (the project's .dbstack/, the default) or kubernetes://<context>/<namespace>";

    @Override
    public String toString() {
        return isKubernetes() ? "kubernetes://" + context + "/" + namespace : "file://" + path;
    }
}
