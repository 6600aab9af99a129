package dev.dbstack.render.hooks;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * A Secret's file that its server reads only when no one but its owner may (an Erlang cookie, a MongoDB keyfile). A
 * Secret volume cannot give that under an {@code fsGroup} (the kubelet makes it group-readable), so an init container
 * running as the server's user copies it into an emptyDir with mode 0400, as RabbitMQ's cluster operator does.
 */
final class OwnerOnlyFile {
    private OwnerOnlyFile() {}

    /**
     * The init container copying {@code secretDir/file} (volume {@code secretVolume}, mounted read-only) to
     * {@code targetDir/targetFile} (volume {@code targetVolume}), in the server's image, resources and security context.
     */
    static Container copy(String name, Container server, String secretVolume, String secretDir, String file,
                          String targetVolume, String targetDir, String targetFile) {
        String target = targetDir + "/" + targetFile;
        return new ContainerBuilder()
                .withName(name)
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                // rm first: a restarted init container finds its earlier copy, which mode 0400 keeps it from overwriting.
                .withCommand("sh", "-c", "rm -f " + target + " && cp " + secretDir + "/" + file + " " + target
                        + " && chmod 400 " + target)
                .withResources(server.getResources())
                .withVolumeMounts(
                        new VolumeMountBuilder().withName(secretVolume).withMountPath(secretDir).withReadOnly(true).build(),
                        new VolumeMountBuilder().withName(targetVolume).withMountPath(targetDir).build())
                .withSecurityContext(server.getSecurityContext())
                .build();
    }
}
