package dev.dbstack.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the API requests a client sends, on the client's side, so it works the same on the sandbox and
 * on a real cluster: reads split into LISTs (a collection), GETs (one object), WATCHes and discovery, and
 * writes (POST, PUT, PATCH, DELETE), each per resource ({@code statefulsets}, {@code namespaces}...). A
 * fabric8 {@link Interceptor}: it sees every attempt, retries included, as the API server does.
 */
public final class RequestCounter implements Interceptor {
    /** The name the interceptor is installed under (installing again replaces it). */
    public static final String NAME = "dbstack-request-counter";

    public enum Type { LIST, GET, WATCH, DISCOVERY, WRITE }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** {@code builder} with this counter installed on the clients it builds. */
    public KubernetesClientBuilder installOn(KubernetesClientBuilder builder) {
        return builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(NAME, this));
    }

    /** A new client for {@code config} whose requests this counter counts. */
    public KubernetesClient connect(Config config) {
        return installOn(new KubernetesClientBuilder().withConfig(config)).build();
    }

    /**
     * A second client to the API server {@code client} talks to, with the same configuration, counted; for a
     * client built elsewhere (the sandbox's). Close it on its own.
     */
    public KubernetesClient counting(KubernetesClient client) {
        return connect(new ConfigBuilder(client.getConfiguration()).build());
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        Request r = classify(request.method(), request.uri());
        counts.computeIfAbsent(r.type() + " " + r.resource(), k -> new LongAdder()).increment();
    }

    /** What a request is: its type and resource ({@code ""} for discovery). */
    record Request(Type type, String resource) {}

    static Request classify(String method, URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String[] p = java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        // /api/v1/... and /apis/<group>/<version>/...: what follows is the resource part.
        int at = p.length > 0 && p[0].equals("api") ? 2 : p.length > 0 && p[0].equals("apis") ? 3 : -1;
        boolean get = "GET".equalsIgnoreCase(method);
        if (at < 0 || p.length <= at) return new Request(get ? Type.DISCOVERY : Type.WRITE, "");
        String resource;
        boolean named;
        if (p[at].equals("namespaces") && p.length > at + 2 && !(p.length == at + 3 && SUBRESOURCES_OF_NAMESPACE.contains(p[at + 2]))) {
            resource = p[at + 2]; // namespaces/<ns>/<resource>[/<name>[/<subresource>]]
            named = p.length > at + 3;
        } else {
            resource = p[at];
            named = p.length > at + 1;
        }
        if (!get) return new Request(Type.WRITE, resource);
        String query = uri.getRawQuery() == null ? "" : "&" + uri.getRawQuery() + "&";
        if (query.contains("&watch=true&") || query.contains("&watch=1&")) return new Request(Type.WATCH, resource);
        return new Request(named ? Type.GET : Type.LIST, resource);
    }

    private static final java.util.Set<String> SUBRESOURCES_OF_NAMESPACE = java.util.Set.of("status", "finalize");

    /** The counts so far, to compare with later ones ({@link Counts#minus}). */
    public Counts snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return new Counts(Map.copyOf(m));
    }

    /** Request counts keyed {@code "<TYPE> <resource>"}, e.g. {@code "LIST statefulsets"}. */
    public record Counts(Map<String, Long> byKey) {
        public long of(Type type, String resource) {
            return byKey.getOrDefault(type + " " + resource, 0L);
        }

        public long total(Type type) {
            return byKey.entrySet().stream().filter(e -> e.getKey().startsWith(type + " ")).mapToLong(Map.Entry::getValue).sum();
        }

        /** Every read: LISTs, GETs, WATCHes and discovery. */
        public long reads() {
            return total(Type.LIST) + total(Type.GET) + total(Type.WATCH) + total(Type.DISCOVERY);
        }

        public long lists() {
            return total(Type.LIST);
        }

        public long writes() {
            return total(Type.WRITE);
        }

        /** How many requests of {@code type} went to each resource. */
        public Map<String, Long> byResource(Type type) {
            Map<String, Long> out = new TreeMap<>();
            byKey.forEach((k, v) -> {
                if (k.startsWith(type + " ") && v > 0) out.put(k.substring(type.name().length() + 1), v);
            });
            return out;
        }

        /** These and {@code other} together (the requests to several clusters). */
        public Counts plus(Counts other) {
            Map<String, Long> m = new TreeMap<>(byKey);
            other.byKey.forEach((k, v) -> m.merge(k, v, Long::sum));
            return new Counts(Map.copyOf(m));
        }

        /** What was sent between {@code earlier} and these. */
        public Counts minus(Counts earlier) {
            Map<String, Long> m = new TreeMap<>();
            byKey.forEach((k, v) -> {
                long d = v - earlier.byKey.getOrDefault(k, 0L);
                if (d != 0) m.put(k, d);
            });
            return new Counts(Map.copyOf(m));
        }

        /** {@code API: 7 reads (7 lists), 0 writes}: the line {@code -v} prints. */
        public String summary() {
            return "API: " + reads() + " reads (" + lists() + " lists), " + writes() + " writes";
        }

        /** The summary, then each type's requests per resource: {@code lists: namespaces 1, secrets 1, ...}. */
        public String detail() {
            StringBuilder s = new StringBuilder(summary());
            for (Type t : Type.values()) {
                Map<String, Long> m = byResource(t);
                if (m.isEmpty()) continue;
                s.append("\n  ").append(t.name().toLowerCase()).append(t == Type.DISCOVERY ? "" : "s").append(": ");
                StringBuilder each = new StringBuilder();
                m.forEach((r, n) -> each.append(each.length() == 0 ? "" : ", ").append(r.isEmpty() ? "(discovery)" : r).append(' ').append(n));
                s.append(each);
            }
            return s.toString();
        }

        @Override
        public String toString() {
            return detail();
        }
    }
}
