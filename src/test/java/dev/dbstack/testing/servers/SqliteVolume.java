package dev.dbstack.testing.servers;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * SQLite has no server: the "server" is a file on a PersistentVolumeClaim that consuming containers mount. This stands
 * a temporary directory in for that volume and turns a rendered path or URL, which names the file as the consumer sees
 * it under the mount path, into one that opens the same file here with xerial's sqlite-jdbc, whose own URL parser
 * handles the result. Understood forms: {@code jdbc:sqlite:<path>} and {@code jdbc:sqlite:file:<percent-encoded path>
 * [?query]} (SQLite's URI filenames, decoded by SQLite itself), and a bare {@code file:} URI, which becomes the latter.
 */
public final class SqliteVolume {
    private final ContainerSpec mount;
    private final Path hostDir;

    public SqliteVolume(String mountPath, Path hostDir) {
        this.mount = ContainerSpec.of(Map.of(), mountPath);
        this.hostDir = hostDir;
    }

    /** The file a consumer names {@code containerPath}, here. */
    public Path hostPath(String containerPath) {
        return mount.hostPath(containerPath, hostDir);
    }

    /** {@code renderedUrl} naming the same file, here, as a URL for sqlite-jdbc. */
    public String jdbcUrl(String renderedUrl) {
        String rest;
        if (renderedUrl.startsWith("jdbc:sqlite:")) rest = renderedUrl.substring("jdbc:sqlite:".length());
        else if (renderedUrl.startsWith("file:")) rest = renderedUrl;
        else throw new IllegalArgumentException("not a jdbc:sqlite: or file: URL: " + renderedUrl);
        if (!rest.startsWith("file:")) {
            int q = rest.indexOf('?');
            String path = q < 0 ? rest : rest.substring(0, q);
            return "jdbc:sqlite:" + hostPath(path) + (q < 0 ? "" : rest.substring(q));
        }
        try {
            URI uri = new URI(rest);
            String local = new URI("file", null, hostPath(uri.getPath()).toString(), null).toASCIIString().substring("file:".length());
            return "jdbc:sqlite:file:" + local + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid file: URI: " + rest, e);
        }
    }
}
