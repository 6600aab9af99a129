package dev.dbstack.pulumi;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Import;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ProviderResource;
import com.pulumi.resources.ResourceArgs;

/** An explicit Kubernetes provider for a cluster group whose {@code cluster:} names a kubeconfig context. */
public final class KubernetesProvider extends ProviderResource {

    public KubernetesProvider(String name, String context, CustomResourceOptions options) {
        super("kubernetes", name, new Args(context), options);
    }

    static final class Args extends ResourceArgs {
        @Import(name = "context")
        private final Output<String> context;

        Args(String context) {
            this.context = Output.of(context);
        }
    }
}
