package dev.dbstack.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.config.StackLoader;
import dev.dbstack.model.Project;
import dev.dbstack.plan.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A stack's configuration as read: the SHA-256 of each file that makes it ({@code Pulumi.yaml}, the
 * stack file, the project's {@code components/*.yaml}), by path relative to the project, and one digest
 * over them all. A saved plan records it; a different one when the plan is applied means the
 * configuration it was made from is not the one there now.
 */
public record ConfigDigest(String digest, Map<String, String> files) {

    /**
     * Never fails: a file that cannot be read is digested as such (the loader, which reads the files next,
     * says what is wrong with it), and only regular files are read (never a pipe or a device).
     */
    public static ConfigDigest of(Project project, String stack) {
        Path dir = project.dir();
        Map<String, String> files = new TreeMap<>();
        add(files, dir, () -> dir.resolve("Pulumi.yaml"));
        add(files, dir, () -> dir.resolve(StackLoader.stackFileName(project, stack)));
        Path components = dir.resolve("components");
        if (Files.isDirectory(components)) {
            try (Stream<Path> list = Files.list(components)) {
                list.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().forEach(p -> add(files, dir, () -> p));
            } catch (IOException | RuntimeException e) {
                files.put("components/", "unreadable");
            }
        }
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        files.forEach(all::put);
        return new ConfigDigest(CanonicalJson.sha256(all), Map.copyOf(files));
    }

    private static void add(Map<String, String> files, Path dir, java.util.function.Supplier<Path> path) {
        Path file;
        try {
            file = path.get();
        } catch (RuntimeException e) { // a name no path can have: the loader refuses it
            return;
        }
        if (!Files.isRegularFile(file)) return;
        String name = dir.relativize(file).toString().replace('\\', '/');
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
            files.put(name, "sha256:" + HexFormat.of().formatHex(sha.digest()));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            files.put(name, "unreadable");
        }
    }

    /** The files that differ from {@code before}: changed, added or gone. */
    public List<String> changedSince(Map<String, String> before) {
        List<String> out = new ArrayList<>();
        for (String f : new TreeSet<>(union(before))) {
            if (!java.util.Objects.equals(before.get(f), files.get(f))) out.add(f);
        }
        return out;
    }

    private java.util.Set<String> union(Map<String, String> before) {
        java.util.Set<String> all = new TreeSet<>(files.keySet());
        all.addAll(before.keySet());
        return all;
    }
}
