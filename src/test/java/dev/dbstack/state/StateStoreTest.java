package dev.dbstack.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dbstack.model.UserInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    private static StateStore.JournalEntry put(String key, String value) {
        return new StateStore.JournalEntry(key, JsonNodeFactory.instance.textNode(value));
    }

    @Test
    void journalReplaysOntoTheSnapshotAndCheckpointFoldsIt(@TempDir Path dir) {
        StateStore store = new StateStore(dir);
        store.record(put("a", "1"));
        store.record(put("b", "2"));
        store.record(new StateStore.JournalEntry("a", null));

        StateStore.State loaded = store.load();
        assertThat(loaded.entries()).containsOnlyKeys("b");
        assertThat(loaded.journalLength()).isEqualTo(3);

        store.checkpoint(loaded);
        assertThat(store.journalFile()).doesNotExist();
        store.record(put("c", "3"));
        assertThat(store.load().entries()).containsOnlyKeys("b", "c");
    }

    @Test
    void theSerialAdvancesWithEveryChangeAndSurvivesCheckpointsAndReloads(@TempDir Path dir) throws IOException {
        StackState state = StackState.open(dir);
        assertThat(state.serial()).isZero();
        state.putCredential("a/b/PASSWORD", "v1:x:y");
        state.putCredential("a/b/USERNAME", "v1:x:z");
        assertThat(state.serial()).isEqualTo(2);
        state.putCredential("a/b/PASSWORD", "v1:x:y");
        state.removeObject("nothing");
        assertThat(state.serial()).as("what state already holds is no change").isEqualTo(2);
        assertThat(StackState.open(dir).serial()).as("from the journal").isEqualTo(2);

        state.checkpoint();
        assertThat(state.serial()).as("a checkpoint changes nothing").isEqualTo(2);
        assertThat(StackState.open(dir).serial()).as("from the snapshot").isEqualTo(2);
        state.putEncryptionSalt("s");
        assertThat(StackState.open(dir).serial()).isEqualTo(3);

        // A crash after the snapshot's rename and before the journal's removal replays the journal onto the
        // snapshot it was folded into: same entries, same serial, not one more per line.
        byte[] journal = Files.readAllBytes(new StateStore(dir).journalFile());
        state.checkpoint();
        Files.write(new StateStore(dir).journalFile(), journal);
        assertThat(StackState.open(dir).serial()).isEqualTo(3);
    }

    @Test
    void aCheckpointWithNothingNewWritesNothingButFoldsAJournalLeftBehind(@TempDir Path dir) throws IOException {
        StackState first = StackState.open(dir);
        first.putCredential("a/b/PASSWORD", "v1:x:y");
        first.checkpoint();
        StateStore store = new StateStore(dir);
        byte[] bytes = Files.readAllBytes(store.snapshotFile());
        FileTime longAgo = FileTime.fromMillis(1_000_000_000_000L); // any rewrite, however quick, moves it
        Files.setLastModifiedTime(store.snapshotFile(), longAgo);

        StackState noop = StackState.open(dir);
        noop.putCredential("a/b/PASSWORD", "v1:x:y"); // what it already holds
        noop.removeObject("never recorded");
        noop.checkpoint();
        assertThat(store.journalFile()).doesNotExist();
        assertThat(Files.getLastModifiedTime(store.snapshotFile())).isEqualTo(longAgo);
        assertThat(Files.readAllBytes(store.snapshotFile())).isEqualTo(bytes);
        assertThat(noop.serial()).isEqualTo(1);

        // A run that stopped before its checkpoint left a journal: the next run folds it, though it changes nothing.
        StackState.open(dir).putCredential("a/b/PASSWORD", "v1:x:z");
        assertThat(store.journalFile()).exists();
        StackState.open(dir).checkpoint();
        assertThat(store.journalFile()).doesNotExist();
        assertThat(Files.getLastModifiedTime(store.snapshotFile())).isNotEqualTo(longAgo);
        assertThat(StackState.open(dir).credential("a/b/PASSWORD")).isEqualTo("v1:x:z");
        assertThat(StackState.open(dir).serial()).isEqualTo(2);
    }

    @Test
    void journalsWrittenBeforeSerialsCountOneALine(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("journal.jsonl"), "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":\"2\"}\n");
        assertThat(new StateStore(dir).load().serial()).isEqualTo(2);
        StackState state = StackState.open(dir);
        state.putCredential("c", "3");
        assertThat(StackState.open(dir).serial()).isEqualTo(3);
    }

    @Test
    void appliedPlansAreRemembered(@TempDir Path dir) {
        StackState state = StackState.open(dir);
        state.planApplied("sha256:aa", "2025-01-01T00:00:00Z");
        assertThat(StackState.open(dir).planAppliedAt("sha256:aa")).isEqualTo("2025-01-01T00:00:00Z");
        assertThat(StackState.open(dir).planAppliedAt("sha256:bb")).isNull();
    }

    @Test
    void aTornLastLineIsIgnored(@TempDir Path dir) throws IOException {
        StateStore store = new StateStore(dir);
        store.record(put("a", "1"));
        Files.writeString(store.journalFile(), "{\"key\":\"b\",\"val", StandardOpenOption.APPEND);
        assertThat(store.load().entries()).containsOnlyKeys("a");
    }

    /** Kill -9 a writer at several points; every acknowledged step must survive, in order, with nothing extra. */
    @Test
    void aKilledWriterLosesNothingItAcknowledged(@TempDir Path dir) throws Exception {
        for (int killAfter : List.of(0, 3, 6, 7, 13, 20)) {
            Path stack = dir.resolve("kill-" + killAfter);
            Process p = java("journal", stack.toString(), "1000");
            int acked = -1;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    acked = Integer.parseInt(line.substring(4));
                    if (acked >= killAfter) break;
                }
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

            var entries = new StateStore(stack).load().entries();
            assertThat(entries.size()).as("after kill at %d", killAfter).isGreaterThanOrEqualTo(acked + 1);
            for (int i = 0; i < entries.size(); i++) assertThat(entries).containsKey("object-" + i);
        }
    }

    @Test
    void theLockNamesItsHolderAcrossProcessesAndCancelRemovesAStaleOne(@TempDir Path dir) throws Exception {
        Process holder = java("lock", dir.toString());
        String first;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            first = out.readLine();
        }
        assertThat(first).isEqualTo("locked " + holder.pid());

        UserInputException refused = catchThrowableOfType(UserInputException.class,
                () -> StackLock.acquire(dir, "test", "dbstack destroy --stack test"));
        assertThat(refused.getMessage()).contains("stack 'test' is locked by pid " + holder.pid())
                .contains("running `dbstack up --stack test`").contains("dbstack cancel --stack test");

        holder.destroyForcibly();
        holder.waitFor(30, TimeUnit.SECONDS);
        assertThat(StackLock.holder(dir)).isPresent(); // a killed holder leaves its lock behind: stale, not lost
        assertThat(StackLock.forceRelease(dir)).isTrue();
        try (StackLock lock = StackLock.acquire(dir, "test", "dbstack up")) {
            assertThat(lock.holder().pid()).isEqualTo(ProcessHandle.current().pid());
        }
        assertThat(StackLock.holder(dir)).isEmpty();
    }

    private static Process java(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StateWriterProcess.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
