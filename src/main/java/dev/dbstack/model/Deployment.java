package dev.dbstack.model;

/**
 * Where a database layer's server runs (Maestro's deployment types).
 *
 * @param type  dedicated (its own pods, spread across nodes), local (one pod next to the app's pods, for
 *              development) or external (a server dbstack does not run: only a Service pointing at it)
 * @param host  the external server's IP address or DNS name; null unless external
 * @param port  the external server's port (the type's port when not given); 0 unless external
 * @param check whether dbstack opens a TCP connection to host:port before it applies anything
 */
public record Deployment(Type type, String host, int port, boolean check) {
    public enum Type {
        DEDICATED, LOCAL, EXTERNAL;

        /** As written in a stack file. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final Deployment DEDICATED = new Deployment(Type.DEDICATED, null, 0, false);
    public static final Deployment LOCAL = new Deployment(Type.LOCAL, null, 0, false);

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    /** An IPv4 address in dotted-decimal form. */
    public static boolean isIpv4(String host) {
        return IPV4.matcher(host).matches();
    }

    /** An IPv6 address literal (parsed without any DNS lookup: a text with ':' is never a host name). */
    public static boolean isIpv6(String host) {
        if (!host.contains(":") || !host.matches("[0-9A-Fa-f:.]+")) return false;
        try {
            return java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The EndpointSlice address type of an external host that is an IP address; null for a host name. */
    public String addressType() {
        if (host == null) return null;
        return isIpv4(host) ? "IPv4" : isIpv6(host) ? "IPv6" : null;
    }

    public static Deployment external(String host, int port, boolean check) {
        return new Deployment(Type.EXTERNAL, host, port, check);
    }

    public boolean isExternal() {
        return type == Type.EXTERNAL;
    }

    /** Whether dbstack runs the server (a StatefulSet with claims and generated credentials). */
    public boolean runsServer() {
        return type != Type.EXTERNAL;
    }
}
