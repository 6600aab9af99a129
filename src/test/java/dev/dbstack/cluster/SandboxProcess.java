package dev.dbstack.cluster;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;

/**
 * A separate JVM that writes to a persistent sandbox and is then killed: {@code DIR N} creates N
 * ConfigMaps; {@code DIR delete-statefulset POLICY} creates StatefulSet {@code shop/db} with three
 * pods, deletes it with that propagation policy and says {@code deleted}.
 */
public final class SandboxProcess {
    public static void main(String[] args) throws Exception {
        Sandbox sandbox = Sandbox.start(Path.of(args[0]));
        var client = sandbox.client();
        if (args[1].equals("delete-statefulset")) {
            SandboxGarbageCollectionTest.createNamespace(client);
            client.resource(SandboxGarbageCollectionTest.statefulSet("db", 3, null)).create();
            SandboxGarbageCollectionTest.awaitPods(client, "db", 3);
            client.apps().statefulSets().inNamespace("shop").withName("db")
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.valueOf(args[2])).delete();
            System.out.println("deleted");
            System.out.flush();
            Thread.sleep(120_000);
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("k").endMetadata().build()).create();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).withNamespace("k")
                    .endMetadata().addToData("i", Integer.toString(i)).build()).create();
            System.out.println("ack " + i);
            System.out.flush();
        }
        Thread.sleep(120_000);
    }
}
