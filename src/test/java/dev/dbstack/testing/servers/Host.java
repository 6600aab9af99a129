package dev.dbstack.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * This machine as the servers see it: whether tests run as root, how a server that refuses root runs anyway, and
 * free loopback ports.
 *
 * <p>PostgreSQL will not run as root (initdb and postgres both refuse). When the tests run as root, as they do on the
 * development machines and in CI, such a server runs as {@code nobody} through util-linux's {@code setpriv}, which every
 * Debian has (util-linux is essential, and Java's own package depends on it): its data directory is handed to
 * {@code nobody}, and the directories above it are made traversable. Run as any other user, nothing changes hands.
 */
public final class Host {
    /** {@code nobody:nogroup} on Debian. */
    public static final int NOBODY = 65534;

    private Host() {}

    public static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /** Fails unless the bundled x86-64 Linux binaries can run here. */
    public static void requireLinuxX8664() {
        String os = System.getProperty("os.name"), arch = System.getProperty("os.arch");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("the server binaries on the test classpath are built for Linux x86-64, not "
                    + os + " " + arch);
        }
    }

    /** {@code command}, run as {@code nobody} when this JVM runs as root (for servers that refuse root). */
    public static List<String> asNonRoot(List<String> command) {
        if (!isRoot()) return command;
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Makes {@code dir} (a directory created if missing, or a file) and everything under it belong to the user {@link #asNonRoot} runs as, and
     * every directory above it traversable by that user. A no-op unless running as root.
     */
    public static Path handToNonRoot(Path dir) {
        try {
            if (!Files.exists(dir)) Files.createDirectories(dir);
            if (!isRoot()) return dir;
            makeTraversable(dir.toAbsolutePath().getParent());
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lets the user {@link #asNonRoot} runs as reach {@code dir}: adds o+x to it and its ancestors inside the temporary
     * directory (JUnit makes its temporary directories 0700). An ancestor elsewhere that others cannot traverse is a
     * clear error. A no-op unless running as root.
     */
    public static void makeTraversable(Path dir) throws IOException {
        if (!isRoot()) return;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
        for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) continue;
            if (!p.startsWith(tmp)) {
                throw new IllegalStateException(p + " is not traversable by other users, so a server running as nobody"
                        + " cannot reach " + dir + "; use a directory under " + tmp);
            }
            perms = EnumSet.copyOf(perms);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
    }

    /** Whether every directory from the root down to {@code dir} lets other users through. */
    public static boolean traversableByOthers(Path dir) throws IOException {
        for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) return false;
        }
        return true;
    }

    /** A port nothing listens on at 127.0.0.1 right now. */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
