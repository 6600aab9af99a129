package dev.dbstack.state;

import java.util.Optional;

/**
 * Where one stack's state and lock live: the project's {@code .dbstack/} ({@link FileBackend}) or a
 * Kubernetes namespace ({@link KubernetesBackend}). State is a snapshot plus a journal of the changes
 * since: {@link #record} appends one change at a cost that does not grow with the state, and
 * {@link #checkpoint} folds the journal into a new snapshot. Values arrive already encrypted where
 * they are secret: a backend never sees a plaintext credential.
 */
public interface StateBackend {
    /** Snapshot plus journal replay. */
    StateStore.State load();

    /** Appends one change, durably, before returning. */
    void record(StateStore.JournalEntry entry);

    /** Writes {@code state} as the new snapshot, atomically for any reader, then drops the journal it folds. */
    void checkpoint(StateStore.State state);

    /**
     * Takes the stack's lock or fails at once naming the holder.
     *
     * @throws dev.dbstack.model.UserInputException when another run holds it (exit 2)
     */
    Lock acquire(String command);

    /** The current holder, if the stack is locked and its holder readable. */
    Optional<StackLock.Holder> holder();

    /** Whether there is a lock at all (readable or not). */
    boolean isLocked();

    /** Removes the lock whoever holds it; true when there was one. For {@code dbstack cancel}. */
    boolean breakLock();

    /** Where this is, for messages: {@code .dbstack/stacks/dev} or {@code kubernetes://ctx/ns (Secrets dbstack-...)}. */
    String describe();

    /** A held lock; closing releases it if it is still ours. */
    interface Lock extends AutoCloseable {
        StackLock.Holder holder();

        @Override
        void close();
    }
}
