package dev.dbstack.testing;

import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.StackModel;
import dev.dbstack.render.CredentialSource;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.render.Manifests;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** One rendered database layer of a test's own stack file, and the parts of it tests look at. */
public record LayerRender(RenderedService service) {
    /** Renders {@code project}'s stack with {@code credentials} and picks layer {@code layer} of app {@code app}. */
    public static LayerRender of(TestProject project, CredentialSource credentials, String app, String layer) {
        RenderedStack stack = new Renderer(project.catalog(), credentials, (id, env) -> "x").render(project.graph());
        return new LayerRender(stack.service(new ServiceId(app, layer)));
    }

    /** As {@link #of}, with {@code secure:} values opened with {@code passphrase} and the rest generated. */
    public static LayerRender withPassphrase(TestProject project, String passphrase, String app, String layer) {
        StackModel model = new StackLoader(project.catalog(), passphrase).load(StackLoader.loadProject(project.dir()),
                TestProject.STACK);
        RenderedStack stack = new Renderer(project.catalog(), new GeneratedCredentials(), (id, env) -> "x")
                .render(ServiceGraph.build(model, project.catalog()));
        return new LayerRender(stack.service(new ServiceId(app, layer)));
    }

    public <T extends HasMetadata> T object(Class<T> type) {
        return service.objects().stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    public StatefulSet statefulSet() {
        return object(StatefulSet.class);
    }

    public PodSpec pod() {
        return statefulSet().getSpec().getTemplate().getSpec();
    }

    public Container server() {
        return pod().getContainers().get(0);
    }

    /** The server's variables with a literal value, in order. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : server().getEnv()) if (e.getValue() != null) env.put(e.getName(), e.getValue());
        return env;
    }

    /** A key of the layer's credentials Secret, decoded. */
    public String secret(String key) {
        String data = object(Secret.class).getData().get(key);
        if (data == null) throw new IllegalArgumentException("no key " + key + " in the credentials Secret");
        return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
    }

    /** Every object but the credentials Secret, as YAML: where no secret may appear as text. */
    public String specsYaml() {
        return Manifests.toYaml(service.objects().stream().filter(o -> !(o instanceof Secret)).toList());
    }
}
