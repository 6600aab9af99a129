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
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLI process's own temporary directory, so that nothing a run writes to {@code java.io.tmpdir} outlives it —
 * not even after {@code kill -9}, which runs no clean-up. Libraries put files there by themselves (vert.x, which
 * serves the sandbox's mock API server, keeps a {@code vertx-cache-*} folder there and removes it only in a
 * shutdown hook). So at start {@link #claim} makes {@code <tmpdir>/dbstack-run-<pid>-<random>}, holds a lock on a
 * file in it for as long as the process lives, points {@code java.io.tmpdir} at it before any library reads the
 * property, and removes it at exit; and it removes the directories of earlier runs that are gone: their lock is
 * free (the kernel releases it when a process dies, however it dies) and their process no longer exists.
 * <p>
 * Only the CLI's entry point claims one: tests that call {@link Main#run} in-process keep their JVM's temp directory.
 */
final class ScratchDir {
    static final String PREFIX = "dbstack-run-";
    private static final String LOCK = ".lock";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-[0-9a-f]+");
    /** A lock file this old whose lock is free is stale even if its pid is taken (by another process, or namespace). */
    private static final Duration STALE_AFTER = Duration.ofMinutes(1);

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
            Path dir = root.resolve(PREFIX + ProcessHandle.current().pid() + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
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
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "dbstack-scratch-cleanup"));
        } catch (IOException | RuntimeException e) {
            // No scratch directory: libraries use the system's temp directory as they would without dbstack.
        }
    }

    /** Removes {@code root}'s scratch directories whose run is over. */
    static void removeStale(Path root) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path dir : dirs) {
                Matcher m = NAME.matcher(dir.getFileName().toString());
                if (m.matches() && Files.isDirectory(dir) && isStale(dir, Long.parseLong(m.group(1)))) deleteTree(dir);
            }
        } catch (IOException | RuntimeException e) {
            // Leftovers stay for a later run; this one is not held up.
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
            return !alive(pid) && olderThan(dir, Duration.ofSeconds(10));
        }
        return !alive(pid) || olderThan(lockFile, STALE_AFTER);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean olderThan(Path file, Duration age) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(Instant.now().minus(age));
        } catch (IOException e) {
            return false;
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
