package dev.dbstack.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Velero's published CRDs (v1.18.2, vendored under {@code src/main/resources/velero/}, where the CLI's sandbox installs them from) for tests:
 * installed into a cluster (the sandbox), and read by {@link dev.dbstack.render.KubernetesSchema}.
 */
public final class VeleroCrds {
    /** The vendored files, by plural. */
    public static final List<String> PLURALS = List.of("schedules", "backups", "restores", "backupstoragelocations");
    public static final String NAMESPACE = "velero";

    private VeleroCrds() {}

    public static List<CustomResourceDefinition> definitions() {
        List<CustomResourceDefinition> all = new ArrayList<>();
        for (String plural : PLURALS) {
            String file = "/velero/velero.io_" + plural + ".yaml";
            try (InputStream in = VeleroCrds.class.getResourceAsStream(file)) {
                if (in == null) throw new IllegalStateException(file + " missing from the resources");
                all.add(Serialization.unmarshal(in, CustomResourceDefinition.class));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }

    /** Installs the CRDs (those not installed yet: a sandbox kept on disk comes with them, as the CLI starts it). */
    public static void install(KubernetesClient client) {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        for (CustomResourceDefinition crd : definitions()) {
            if (crds.withName(crd.getMetadata().getName()).get() == null) crds.resource(crd).create();
        }
    }

    /** Installs the CRDs, the {@value #NAMESPACE} namespace and a BackupStorageLocation named {@code default}. */
    public static void installWithDefaultLocation(KubernetesClient client) {
        install(client);
        if (client.namespaces().withName(NAMESPACE).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        }
        GenericKubernetesResource bsl = new GenericKubernetesResource();
        bsl.setApiVersion("velero.io/v1");
        bsl.setKind("BackupStorageLocation");
        bsl.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("default").withNamespace(NAMESPACE).build());
        bsl.setAdditionalProperty("spec", Map.of("provider", "aws", "default", true,
                "objectStorage", Map.of("bucket", "dbstack-backups")));
        var locations = client.genericKubernetesResources("velero.io/v1", "BackupStorageLocation").inNamespace(NAMESPACE);
        if (locations.withName("default").get() == null) locations.resource(bsl).create();
    }
}
