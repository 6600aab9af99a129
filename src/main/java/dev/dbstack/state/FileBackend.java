package dev.dbstack.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** State in a directory ({@code .dbstack/stacks/<stack>}): {@link StateStore} and the lock file {@link StackLock}. */
public final class FileBackend implements StateBackend {
    private final Path dir;
    private final String stack;
    private final StateStore store;

    public FileBackend(Path stackStateDir, String stack) {
        this.dir = stackStateDir;
        this.stack = stack;
        this.store = new StateStore(stackStateDir);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public StateStore.State load() {
        return store.load();
    }

    @Override
    public void record(StateStore.JournalEntry entry) {
        store.record(entry);
    }

    @Override
    public void checkpoint(StateStore.State state) {
        store.checkpoint(state);
    }

    @Override
    public StackLock acquire(String command) {
        return StackLock.acquire(dir, stack, command);
    }

    @Override
    public Optional<StackLock.Holder> holder() {
        return StackLock.holder(dir);
    }

    @Override
    public boolean isLocked() {
        return Files.exists(StackLock.lockFile(dir));
    }

    @Override
    public boolean breakLock() {
        return StackLock.forceRelease(dir);
    }

    @Override
    public String describe() {
        return dir.toString();
    }
}
