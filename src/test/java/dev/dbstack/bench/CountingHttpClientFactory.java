package dev.dbstack.bench;

import dev.dbstack.cli.RunStats;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For {@link ScaleBenchmark} only, until the engine counts its own requests: fabric8's JDK HTTP client with an
 * interceptor counting every request a CLI process makes to the Kubernetes API (its sandbox's own controllers
 * left out), handed to {@link RunStats#apiCounts}. The benchmark puts it on the CLI's class path after
 * {@code target/dbstack.jar} with a {@code META-INF/services} entry of its own, so fabric8 picks it (a higher
 * {@link #priority}) in that process and nowhere else.
 */
public final class CountingHttpClientFactory extends JdkHttpClientFactory {
    /** The user agent of the sandbox's controllers (SandboxDispatcher.CONTROLLER_AGENT): not the engine's requests. */
    private static final String CONTROLLER_AGENT = "dbstack-sandbox-controller";
    private static final AtomicLong READS = new AtomicLong();
    private static final AtomicLong LISTS = new AtomicLong();
    private static final AtomicLong WRITES = new AtomicLong();

    static {
        RunStats.apiCounts(() -> new RunStats.ApiCounts(READS.get(), LISTS.get(), WRITES.get()));
    }

    private static final Interceptor COUNTER = new Interceptor() {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
            switch (kind(request.method(), request.uri().getRawPath(), request.uri().getRawQuery())) {
                case "list" -> LISTS.incrementAndGet();
                case "write" -> WRITES.incrementAndGet();
                default -> READS.incrementAndGet();
            }
        }
    };

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public HttpClient.Builder newBuilder(Config config) {
        HttpClient.Builder builder = super.newBuilder(config);
        String agent = config.getUserAgent();
        if (agent == null || !agent.startsWith(CONTROLLER_AGENT)) builder.addOrReplaceInterceptor("dbstack-bench-counter", COUNTER);
        return builder;
    }

    /**
     * "write", "list" (a collection, or a watch) or "read" (one object, a subresource, discovery): the path after
     * {@code /api/v1} or {@code /apis/<group>/<version>} is {@code [namespaces/<ns>/]<resource>[/<name>[/<sub>]]}.
     */
    static String kind(String method, String path, String query) {
        if (!method.equals("GET")) return "write";
        if (query != null && Arrays.asList(query.split("&")).contains("watch=true")) return "list";
        String[] s = Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toArray(String[]::new);
        int prefix = s.length > 0 && s[0].equals("api") ? 2 : s.length > 0 && s[0].equals("apis") ? 3 : -1;
        if (prefix < 0 || s.length <= prefix) return "read"; // discovery, /version
        String[] rest = Arrays.copyOfRange(s, prefix, s.length);
        if (rest[0].equals("namespaces") && rest.length >= 3) rest = Arrays.copyOfRange(rest, 2, rest.length);
        return rest.length == 1 ? "list" : "read";
    }
}
