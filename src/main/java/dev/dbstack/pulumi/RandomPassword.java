package dev.dbstack.pulumi;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Export;
import com.pulumi.core.annotations.Import;
import com.pulumi.resources.CustomResource;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceArgs;

/**
 * The random provider's {@code RandomPassword}, registered by token like our Kubernetes objects: it
 * is generated once, kept (encrypted) in the Pulumi state and stays the same on every later
 * {@code pulumi up}, which is what a database credential needs.
 */
public final class RandomPassword extends CustomResource {
    static final String TOKEN = "random:index/randomPassword:RandomPassword";

    @Export(name = "result", refs = {String.class})
    private Output<String> result;

    public RandomPassword(String name, int length, CustomResourceOptions options) {
        super(TOKEN, name, new Args(length), options);
    }

    /** The password, marked secret. */
    public Output<String> result() {
        return result.asSecret();
    }

    /** Letters and digits only, like dbstack's own generator: every driver, shell and URI takes them unescaped. */
    static final class Args extends ResourceArgs {
        @Import(name = "length", required = true)
        private final Output<Integer> length;
        @Import(name = "special")
        private final Output<Boolean> special = Output.of(false);

        Args(int length) {
            this.length = Output.of(length);
        }
    }
}
