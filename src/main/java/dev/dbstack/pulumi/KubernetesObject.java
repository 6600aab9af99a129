package dev.dbstack.pulumi;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Export;
import com.pulumi.core.annotations.Import;
import com.pulumi.resources.CustomResource;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceArgs;
import java.util.Map;
import java.util.Set;

/**
 * One rendered Kubernetes object, registered with the Pulumi Kubernetes provider under its real
 * type token ({@code kubernetes:apps/v1:StatefulSet}). The typed Java SDK for that provider stopped
 * at 4.0.0, so instead of mapping each fabric8 type onto it, the object's own top-level fields are the
 * resource's inputs: the provider receives exactly what {@code dbstack render} prints.
 */
public final class KubernetesObject extends CustomResource {
    /** The top-level fields our renderer produces; anything else would be silently dropped, so it is refused. */
    static final Set<String> FIELDS = dev.dbstack.render.Manifests.TOP_LEVEL_FIELDS;

    @Export(name = "metadata", refs = {Map.class, String.class, Object.class}, tree = "[0,1,2]")
    private Output<Map<String, Object>> metadata;

    private final Args args;

    public KubernetesObject(String name, Args args, CustomResourceOptions options) {
        super(typeToken(args.apiVersionValue, args.kindValue), name, args, options);
        this.args = args;
    }

    /** {@code v1} + {@code Service} → {@code kubernetes:core/v1:Service}; {@code apps/v1} → {@code kubernetes:apps/v1:…}. */
    static String typeToken(String apiVersion, String kind) {
        String groupVersion = apiVersion.contains("/") ? apiVersion : "core/" + apiVersion;
        return "kubernetes:" + groupVersion + ":" + kind;
    }

    /** The object's metadata as the provider reports it; consumers derive from it to depend on this object. */
    public Output<Map<String, Object>> metadata() {
        return metadata;
    }

    public Args args() {
        return args;
    }

    /** The object's top-level fields; a field is an {@link Output} where its value depends on other resources. */
    public static final class Args extends ResourceArgs {
        @Import(name = "apiVersion", required = true)
        private final Output<String> apiVersion;
        @Import(name = "kind", required = true)
        private final Output<String> kind;
        @Import(name = "metadata")
        private final Output<Object> metadata;
        @Import(name = "spec")
        private final Output<Object> spec;
        @Import(name = "data")
        private final Output<Object> data;
        @Import(name = "stringData")
        private final Output<Object> stringData;
        @Import(name = "type")
        private final Output<Object> type;
        @Import(name = "immutable")
        private final Output<Object> immutable;
        /** An EndpointSlice's fields (an external database at an IP address). */
        @Import(name = "addressType")
        private final Output<Object> addressType;
        @Import(name = "endpoints")
        private final Output<Object> endpoints;
        @Import(name = "ports")
        private final Output<Object> ports;
        /** Fields of the other kinds a manifest layer may hold (ConfigMap, Role, RoleBinding, ServiceAccount, ...). */
        @Import(name = "binaryData")
        private final Output<Object> binaryData;
        @Import(name = "rules")
        private final Output<Object> rules;
        @Import(name = "roleRef")
        private final Output<Object> roleRef;
        @Import(name = "subjects")
        private final Output<Object> subjects;
        @Import(name = "secrets")
        private final Output<Object> secrets;
        @Import(name = "imagePullSecrets")
        private final Output<Object> imagePullSecrets;
        @Import(name = "automountServiceAccountToken")
        private final Output<Object> automountServiceAccountToken;
        @Import(name = "subsets")
        private final Output<Object> subsets;
        @Import(name = "template")
        private final Output<Object> template;

        private final transient String apiVersionValue;
        private final transient String kindValue;

        /** @param fields the other top-level fields by name */
        Args(String apiVersion, String kind, Map<String, Output<Object>> fields) {
            for (String field : fields.keySet()) {
                if (!FIELDS.contains(field)) throw new IllegalArgumentException("no Pulumi input for field '" + field + "'");
            }
            this.apiVersionValue = apiVersion;
            this.kindValue = kind;
            this.apiVersion = Output.of(apiVersionValue);
            this.kind = Output.of(kindValue);
            this.metadata = fields.get("metadata");
            this.spec = fields.get("spec");
            this.data = fields.get("data");
            this.stringData = fields.get("stringData");
            this.type = fields.get("type");
            this.immutable = fields.get("immutable");
            this.addressType = fields.get("addressType");
            this.endpoints = fields.get("endpoints");
            this.ports = fields.get("ports");
            this.binaryData = fields.get("binaryData");
            this.rules = fields.get("rules");
            this.roleRef = fields.get("roleRef");
            this.subjects = fields.get("subjects");
            this.secrets = fields.get("secrets");
            this.imagePullSecrets = fields.get("imagePullSecrets");
            this.automountServiceAccountToken = fields.get("automountServiceAccountToken");
            this.subsets = fields.get("subsets");
            this.template = fields.get("template");
        }

        /** The input for a top-level field, or null when the object has none. */
        public Output<Object> field(String name) {
            return switch (name) {
                case "metadata" -> metadata;
                case "spec" -> spec;
                case "data" -> data;
                case "stringData" -> stringData;
                case "type" -> type;
                case "immutable" -> immutable;
                case "addressType" -> addressType;
                case "endpoints" -> endpoints;
                case "ports" -> ports;
                case "binaryData" -> binaryData;
                case "rules" -> rules;
                case "roleRef" -> roleRef;
                case "subjects" -> subjects;
                case "secrets" -> secrets;
                case "imagePullSecrets" -> imagePullSecrets;
                case "automountServiceAccountToken" -> automountServiceAccountToken;
                case "subsets" -> subsets;
                case "template" -> template;
                default -> throw new IllegalArgumentException(name);
            };
        }
    }
}
