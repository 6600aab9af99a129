package dev.dbstack.pulumi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pulumi.Config;
import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.core.Alias;
import com.pulumi.core.Output;
import com.pulumi.exceptions.RunException;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.StackLoader;
import dev.dbstack.engine.ExternalCheck;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Project;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.render.OutputValue;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The Pulumi program behind {@code pulumi up}: the same configuration, model, graph and renderer as
 * {@code dbstack up}, registered as Pulumi resources. Per app deployment a component; per service
 * layer a component in graph order whose children are the rendered objects and the credentials;
 * consumers take the outputs of the layers they use as {@link Output}s, so Pulumi orders and
 * tracks them exactly as dbstack's graph does.
 */
public final class PulumiProgram {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Provider plugin versions the resources are pinned to. They live in plugin.json files on the
     * classpath, where the Pulumi CLI's plugin discovery reads them and installs those versions.
     */
    static final String KUBERNETES_PLUGIN = pluginVersion("kubernetes");
    static final String RANDOM_PLUGIN = pluginVersion("random");
    static final String APP_TYPE = "dbstack:index:AppDeployment";

    private final Context ctx;
    private final Catalog catalog;
    private final CredentialTokens credentials = new CredentialTokens();
    private final Map<ServiceId, Registered> registered = new HashMap<>();

    /** What later layers need of a registered one. */
    private record Registered(ServiceComponent component, RenderedService rendered, KubernetesObject workload,
                              Map<String, KubernetesObject> secrets) {}

    private PulumiProgram(Context ctx, Catalog catalog) {
        this.ctx = ctx;
        this.catalog = catalog;
    }

    public static void main(String[] args) {
        Pulumi.run(ctx -> run(ctx, Path.of("").toAbsolutePath(), configKeysFromEngine(), secretKeysFromEngine()));
    }

    /**
     * Runs the program for the project in {@code dir}. Configuration problems become one Pulumi error
     * with dbstack's own messages, one per line, instead of a stack trace.
     *
     * @param configKeys every config key of the stack, as the engine lists them
     * @param secretKeys the config keys the engine marks secret
     */
    public static void run(Context ctx, Path dir, Set<String> configKeys, Set<String> secretKeys) {
        try {
            Project project = StackLoader.loadProject(dir);
            Catalog catalog = Catalog.load(dir);
            Config config = ctx.config(StackLoader.NAMESPACE);
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : StackLoader.CONFIG_KEYS) {
                config.get(key.substring(StackLoader.NAMESPACE.length() + 1)).ifPresent(v -> values.put(key, v));
            }
            StackModel model = new StackLoader(catalog).loadPulumiConfig(project, ctx.stackName(), values, secretKeys,
                    configKeys);
            // As dbstack's preview and up: an external database this machine cannot reach fails the run before a
            // single resource is registered, so `pulumi up` applies nothing (layers with check: false are left out).
            ExternalCheck.refuseUnreachable(model);
            new PulumiProgram(ctx, catalog).register(ServiceGraph.build(model, catalog));
        } catch (UserInputException | ExternalCheck.Unreachable e) {
            throw new RunException(e.getMessage());
        }
    }

    private static String pluginVersion(String plugin) {
        String resource = "/com/dbstack/plugins/" + plugin + "/plugin.json";
        try (var in = PulumiProgram.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the build");
            return JSON.readTree(in).path("version").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Pulumi language host passes the config as a JSON object; the Config API cannot list its keys. */
    private static Set<String> configKeysFromEngine() {
        // old engines wrote keys as "ns:config:key"; the SDK reads both, and so do we
        return fromEngine("PULUMI_CONFIG", "{}", new TypeReference<Map<String, Object>>() {}).keySet().stream()
                .map(k -> k.replaceFirst("^([^:]+):config:", "$1:")).collect(Collectors.toSet());
    }

    /** ... and the names of secret config keys as a JSON array. */
    private static Set<String> secretKeysFromEngine() {
        return Set.copyOf(fromEngine("PULUMI_CONFIG_SECRET_KEYS", "[]", new TypeReference<List<String>>() {}));
    }

    private static <T> T fromEngine(String variable, String whenUnset, TypeReference<T> type) {
        String json = System.getenv(variable);
        try {
            return JSON.readValue(json == null || json.isBlank() ? whenUnset : json, type);
        } catch (IOException e) {
            throw new IllegalStateException(variable + " from the Pulumi engine is not valid JSON", e);
        }
    }

    private void register(ServiceGraph graph) {
        StackModel model = graph.model();
        RenderedStack rendered = new Renderer(catalog, credentials, credentials::envSecret).render(graph);
        refuseLeakedCredentials(rendered);
        rendered.warnings().forEach(w -> ctx.log().warn(w));

        Map<String, Optional<KubernetesProvider>> providers = new HashMap<>();
        Map<String, ComponentResource> apps = new HashMap<>();
        for (AppDeployment app : model.apps()) {
            ClusterGroup group = model.clusterGroupOf(app);
            Optional<KubernetesProvider> provider = providers.computeIfAbsent(group.name(), g -> providerFor(group));
            ComponentResourceOptions.Builder options = ComponentResourceOptions.builder();
            provider.ifPresent(options::providers);
            ComponentResource component = new ComponentResource(APP_TYPE, app.name(), options.build());
            apps.put(app.name(), component);
            for (HasMetadata object : rendered.appObjects().get(app.name())) {
                registerObject(object, component, Map.of());
            }
        }
        for (ServiceId id : graph.applyOrder()) {
            registerService(graph, rendered.service(id), apps.get(id.app()));
        }
    }

    /**
     * The sandbox lives only inside a dbstack process, so a sandbox cluster group deploys through the
     * provider's default (the current kubeconfig context); a named context gets its own provider.
     */
    private Optional<KubernetesProvider> providerFor(ClusterGroup group) {
        if (group.isSandbox()) {
            ctx.log().warn("cluster group '" + group.name() + "' uses dbstack's sandbox, which exists only inside"
                    + " `dbstack`; under Pulumi its apps deploy to the current kubeconfig context");
            return Optional.empty();
        }
        return Optional.of(new KubernetesProvider(group.name(), group.cluster(),
                CustomResourceOptions.builder().version(KUBERNETES_PLUGIN).build()));
    }

    private void registerService(ServiceGraph graph, RenderedService service, ComponentResource app) {
        ServiceId id = service.id();
        ComponentResourceOptions.Builder options = ComponentResourceOptions.builder().parent(app);
        // A renamed database keeps its data under the old name: the component is the old one renamed,
        // and its credentials (RandomPassword) keep their names, so Pulumi keeps their values.
        ServiceId dataId = id;
        if (service.layer() instanceof DatabaseLayer db && db.renamedFrom() != null) {
            dataId = new ServiceId(id.app(), db.dataName());
            options.aliases(Alias.builder().name(dataId.app() + "/" + dataId.layer()).build());
        }
        ServiceComponent component = new ServiceComponent(service.layer(), id.app() + "/" + id.layer(), options.build());
        for (CredentialTokens.Wanted w : credentials.wantedBy(dataId)) {
            credentials.bind(w, w.supplied().isPresent() ? Output.ofSecret(w.supplied().get())
                    : new RandomPassword(dataId.app() + "/" + dataId.layer() + "/" + w.name(), w.length(),
                    CustomResourceOptions.builder().parent(component).version(RANDOM_PLUGIN)
                            .additionalSecretOutputs("result").build()).result());
        }

        Output<Object> consumes = consumedBy(graph, id);
        KubernetesObject workload = null;
        Map<String, KubernetesObject> secrets = new HashMap<>();
        List<Output<?>> policies = new ArrayList<>();
        for (HasMetadata object : service.objects()) {
            boolean isWorkload = object.getKind().equals("StatefulSet") || object.getKind().equals("Deployment");
            // A workload waits for what it consumes, and for the NetworkPolicy that protects its pods, as in apply.
            Map<String, Output<Object>> waitFor = Map.of();
            // A manifest layer's objects all wait for what the layer consumes, workloads or not (apply does the same).
            boolean manifest = service.layer() instanceof dev.dbstack.model.ManifestLayer;
            if (isWorkload || manifest) {
                List<Output<?>> before = new ArrayList<>(isWorkload ? policies : List.of());
                if (consumes != null) before.add(consumes);
                if (!before.isEmpty()) waitFor = Map.of(isWorkload ? "spec" : "metadata", Output.all(before.stream()
                        .map(o -> o.applyValue(v -> (Object) v)).toList()).applyValue(v -> (Object) v));
            }
            KubernetesObject registeredObject = registerObject(object, component, waitFor);
            if (isWorkload) workload = registeredObject;
            if (object instanceof Secret) secrets.put(object.getMetadata().getName(), registeredObject);
            if (object instanceof NetworkPolicy) policies.add(registeredObject.metadata());
        }

        Map<String, Output<String>> outputs = new LinkedHashMap<>();
        for (OutputValue out : service.outputs().values()) {
            outputs.put(out.name(), out.isSecret()
                    ? secretOutput(service, out, secrets.get(out.secretName()))
                    : after(workload, out.value()));
        }
        component.publish(outputs);
        outputs.forEach((name, value) -> ctx.export(id.app() + "." + id.layer() + "." + name, value));
        registered.put(id, new Registered(component, service, workload, secrets));
    }

    /**
     * An Output carrying what this layer's workload consumes from layers below: for a plain variable
     * that variable's Output, for a secret one the Secret object it is referenced from (the value
     * itself stays out of the spec), for a bare {@code dependsOn} the other workload. Its value is
     * irrelevant; its dependencies are the graph's edges into this layer.
     */
    private Output<Object> consumedBy(ServiceGraph graph, ServiceId id) {
        List<Output<?>> inputs = new ArrayList<>();
        for (ServiceGraph.Dependency d : graph.providersOf(id)) {
            Registered provider = registered.get(d.provider());
            if (d.variables().isEmpty()) {
                // dependsOn or autoEnv: the provider's workload; a type without one (SQLite) has only its claim,
                // which a pod simply waits for, and its Secrets if any.
                if (provider.workload() != null) inputs.add(provider.workload().metadata());
                else provider.secrets().values().forEach(secret -> inputs.add(secret.metadata()));
            }
            for (String variable : d.variables()) {
                OutputValue out = provider.rendered().outputs().get(variable);
                inputs.add(out.isSecret() ? provider.secrets().get(out.secretName()).metadata()
                        : provider.component().outputs().get(variable));
            }
        }
        if (inputs.isEmpty()) return null;
        return Output.all(inputs.stream().map(o -> o.applyValue(v -> (Object) v)).toList()).applyValue(v -> (Object) v);
    }

    private KubernetesObject registerObject(HasMetadata object, Resource parent, Map<String, Output<Object>> waitFor) {
        Map<String, Object> fields = JSON.convertValue(object, new TypeReference<LinkedHashMap<String, Object>>() {});
        fields.remove("status");
        fields.replaceAll((k, v) -> inputValue(v));
        String apiVersion = (String) fields.remove("apiVersion");
        String kind = (String) fields.remove("kind");
        Map<String, Output<Object>> inputs = new TreeMap<>();
        fields.forEach((name, value) -> {
            Output<Object> after = waitFor.get(name);
            inputs.put(name, after == null ? Output.of(value) : after.applyValue(ignored -> value));
        });
        if (object instanceof Secret secret && secret.getData() != null) inputs.put("data", resolvedData(secret));
        CustomResourceOptions.Builder options = CustomResourceOptions.builder().parent(parent).version(KUBERNETES_PLUGIN);
        // pulumi destroy must not take data with it: claims and the namespace holding them are left in the cluster.
        if (object instanceof PersistentVolumeClaim || object instanceof Namespace) options.retainOnDelete(true);
        String name = object.getMetadata().getNamespace() == null ? object.getMetadata().getName()
                : object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
        return new KubernetesObject(name, new KubernetesObject.Args(apiVersion, kind, inputs), options.build());
    }

    /** A Secret's data with credential placeholders replaced by their values: secret, and after the credentials. */
    private Output<Object> resolvedData(Secret secret) {
        List<String> keys = new ArrayList<>(new TreeMap<>(secret.getData()).keySet());
        List<Output<String>> values = keys.stream()
                .map(k -> credentials.resolve(decode(secret.getData().get(k))).applyValue(PulumiProgram::encode)).toList();
        return Output.all(values).applyValue(encoded -> {
            Map<String, Object> data = new TreeMap<>();
            for (int i = 0; i < keys.size(); i++) data.put(keys.get(i), encoded.get(i));
            return (Object) data;
        }).asSecret();
    }

    private Output<String> secretOutput(RenderedService service, OutputValue out, KubernetesObject secretObject) {
        Secret secret = (Secret) service.objects().stream()
                .filter(o -> o instanceof Secret && o.getMetadata().getName().equals(out.secretName()))
                .findFirst().orElseThrow();
        Output<String> value = credentials.resolve(decode(secret.getData().get(out.secretKey())));
        return secretObject.metadata().apply(ignored -> value).asSecret();
    }

    /** {@code value}, available once {@code resource} is: later layers then wait for this layer's workload. */
    private static Output<String> after(KubernetesObject resource, String value) {
        return resource == null ? Output.of(value) : resource.metadata().applyValue(ignored -> value);
    }

    /** Pulumi's serializer takes Integer and Double but not Long; Kubernetes integers are 32-bit where we use them. */
    private static Object inputValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, inputValue(v)));
            return out;
        }
        if (value instanceof List<?> list) return list.stream().map(PulumiProgram::inputValue).toList();
        if (value instanceof Long l) return Math.toIntExact(l);
        return value;
    }

    /** Placeholders anywhere but Secret data would put a credential into a spec: a bug, never shipped. */
    private static void refuseLeakedCredentials(RenderedStack rendered) {
        for (HasMetadata object : rendered.allObjects()) {
            if (object instanceof Secret) continue;
            try {
                if (CredentialTokens.containsToken(JSON.writeValueAsString(object))) {
                    throw new IllegalStateException("a credential reached " + object.getKind() + " "
                            + object.getMetadata().getName() + " outside a Secret");
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
