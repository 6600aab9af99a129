package dev.dbstack.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * One writer per stack. The lock is a file created atomically ({@code CREATE_NEW}), so two
 * processes cannot both get it; it names its holder so that a refused user knows whom to ask, and
 * {@code dbstack cancel} can remove a lock whose process died.
 */
public final class StackLock implements StateBackend.Lock {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private final Path file;
    private final Holder holder;
    private boolean released;

    /** Who holds the lock: enough to find the process or the person. */
    public record Holder(long pid, String host, String user, Instant since, String command) {
        public String describe() {
            return "pid " + pid + " on " + host + " (user " + user + ") since " + since + ", running `" + command + "`";
        }
    }

    private StackLock(Path file, Holder holder) {
        this.file = file;
        this.holder = holder;
    }

    public static Path lockFile(Path stackStateDir) {
        return stackStateDir.resolve("lock.json");
    }

    /**
     * Takes the lock or fails at once, naming the holder.
     *
     * @throws UserInputException when another run holds it (exit code 2 in the CLI)
     */
    public static StackLock acquire(Path stackStateDir, String stack, String command) {
        Path file = lockFile(stackStateDir);
        Holder me = new Holder(ProcessHandle.current().pid(), hostName(), System.getProperty("user.name", "?"),
                Instant.now(), command);
        try {
            Files.createDirectories(stackStateDir);
            Files.write(file, JSON.writeValueAsBytes(me), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            return new StackLock(file, me);
        } catch (FileAlreadyExistsException e) {
            Optional<Holder> holder = holder(stackStateDir);
            if (holder.isPresent() && holder.get().host().equals(me.host())
                    && ProcessHandle.of(holder.get().pid()).map(ProcessHandle::isAlive).orElse(false) == false) {
                // Its process is gone from this very machine: the lock is stale for certain, so take it over.
                System.err.println("warning: taking over the lock of stack '" + stack + "' left by " + holder.get().describe()
                        + ", which is no longer running");
                forceRelease(stackStateDir);
                return acquire(stackStateDir, stack, command);
            }
            String who = holder.map(Holder::describe).orElse("another dbstack run (holder unreadable)");
            throw UserInputException.of(new SourceRef(file.toString(), 0), "", "stack '" + stack + "' is locked by "
                    + who + ". If that run is gone, remove the lock with: dbstack cancel --stack " + stack);
        } catch (IOException e) {
            throw new StateStorageException("write the lock", file, e);
        }
    }

    /** The current holder, if the stack is locked and the lock file is readable. */
    public static Optional<Holder> holder(Path stackStateDir) {
        Path file = lockFile(stackStateDir);
        try {
            return Optional.of(JSON.readValue(file.toFile(), Holder.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Removes the lock whoever holds it; true when there was one. For `dbstack cancel`. */
    public static boolean forceRelease(Path stackStateDir) {
        try {
            return Files.deleteIfExists(lockFile(stackStateDir));
        } catch (IOException e) {
            throw new StateStorageException("remove the lock", lockFile(stackStateDir), e);
        }
    }

    public Holder holder() {
        return holder;
    }

    /** Releases the lock if it is still ours (a `cancel` may have removed it meanwhile). */
    @Override
    public synchronized void close() {
        if (released) return;
        released = true;
        Optional<Holder> current = holder(file.getParent());
        if (current.isPresent() && current.get().equals(holder)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new StateStorageException("remove the lock", file, e);
            }
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
