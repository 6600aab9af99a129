package dev.dbstack.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The CLI process's own temporary directory, so that nothing a run writes to {@code java.io.tmpdir} outlives it —
 * not even after {@code kill -9}, which runs no clean-up. Libraries put files there by themselves (vert.x, before
 * dbstack dropped it, kept a {@code vertx-cache-*} folder there and removed it only in a shutdown hook; native
 * libraries unpack there). So at start {@link #claim} makes {@code <tmpdir>/dbstack-run-<pid>-<random>}, holds a lock on a
 * file in it for as long as the process lives, points {@code java.io.tmpdir} at it before any library reads the
 * property, and removes it at exit; and it removes the directories of earlier runs that are gone: their lock is
 * free (the kernel releases it when a process dies, however it dies) and their process no longer exists.
 * <p>
 * Only the CLI's entry point claims one: tests that call {@link Main#run} in-process keep their JVM's temp directory.
 */
final class ScratchDir {
    static final String PREFIX = "dbstack-run-";
    private static final String LOCK = ".lock";
    /** A lock file this old whose lock is free is stale even if its pid is taken (by another process, or namespace). */
    private static final long STALE_AFTER_MS = 60_000;
    /** A directory without a lock file this old is stale when its pid is gone (a run killed while making it). */
    private static final long UNLOCKED_AFTER_MS = 10_000;

    /** Held for the life of the process: the lock tells other runs that this directory is in use. */
    private static FileLock held;

    private ScratchDir() {}

    /**
     * Removes the directories of dead runs, then makes this process's own and points {@code java.io.tmpdir} at it.
     * Quietly does nothing where the temp directory cannot be used (read-only, missing): the run still works.
     */
    static synchronized void claim() {
        if (held != null) return;
        String base = System.getProperty("java.io.tmpdir");
        if (base == null || base.isBlank()) return;
        try {
            Path root = Path.of(base);
            removeStale(root);
            // StringBuilder, not +: string concatenation bootstraps invokedynamic, tens of ms of a --version.
            Path dir = root.resolve(new StringBuilder(PREFIX).append(ownPid()).append('-')
                    .append(Long.toHexString(System.nanoTime() & Long.MAX_VALUE)).toString());
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                return;
            }
            FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return;
            }
            held = lock;
            System.setProperty("java.io.tmpdir", dir.toString());
            Runtime.getRuntime().addShutdownHook(new Cleanup(dir)); // a class, not a lambda: no lambda bootstrap for --version
        } catch (IOException | RuntimeException e) {
            // No scratch directory: libraries use the system's temp directory as they would without dbstack.
        }
    }

    /** Removes {@code root}'s scratch directories whose run is over. */
    static void removeStale(Path root) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) { // no glob: a glob is a regex, with lambdas
            for (Path dir : dirs) {
                long pid = pid(dir.getFileName().toString());
                if (pid > 0 && Files.isDirectory(dir) && isStale(dir, pid)) deleteTree(dir);
            }
        } catch (IOException | RuntimeException e) {
            // Leftovers stay for a later run; this one is not held up.
        }
    }

    /** The pid in a scratch directory's name {@code dbstack-run-<pid>-<hex>}; -1 for any other name. */
    static long pid(String name) {
        if (!name.startsWith(PREFIX)) return -1;
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0 || dash == rest.length() - 1) return -1;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            boolean ok = i < dash ? c >= '0' && c <= '9' : i == dash || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) return -1;
        }
        try {
            return Long.parseLong(rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A run is over when nobody holds its lock and its process is gone (or the lock file is old: the pid then
     * belongs to another process, or lives in another pid namespace). A free lock alone is not enough: the
     * run that made the directory may be between creating its lock file and locking it.
     */
    private static boolean isStale(Path dir, long pid) {
        Path lockFile = dir.resolve(LOCK);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) return false;
            lock.release();
        } catch (OverlappingFileLockException e) {
            return false; // this very process holds it
        } catch (IOException e) {
            // No lock file: a run killed before it made one, or one making it right now.
            return !alive(pid) && olderThan(dir, UNLOCKED_AFTER_MS);
        }
        return !alive(pid) || olderThan(lockFile, STALE_AFTER_MS);
    }

    /**
     * This process's id: on Linux from {@code /proc/self}, which costs nothing, where {@link ProcessHandle} would
     * start its process-reaper machinery (a tenth of a second of a {@code --version}).
     */
    private static long ownPid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean olderThan(Path file, long ms) {
        try {
            return Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - ms;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes this run's directory at exit. */
    private static final class Cleanup extends Thread {
        private final Path dir;

        Cleanup(Path dir) {
            super("dbstack-scratch-cleanup");
            this.dir = dir;
        }

        @Override
        public void run() {
            deleteTree(dir);
        }
    }

    /** Deletes {@code dir} and everything in it, as far as it can (another process may be deleting too). */
    static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) {
                    delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // what is left, a later run removes
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a directory another process still writes into: left for a later run
        }
    }
}
