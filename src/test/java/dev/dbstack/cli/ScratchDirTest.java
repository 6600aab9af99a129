package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which scratch directories of earlier runs a starting run removes (the kill -9 case: {@link TempDirKillProcessTest}). */
class ScratchDirTest {
    /** Above Linux's largest pid (2^22): no process has it. */
    private static final long DEAD = 999_999_999L;

    @Test
    void namesItRecognises() {
        assertThat(ScratchDir.pid("dbstack-run-1234-1f2e")).isEqualTo(1234);
        assertThat(ScratchDir.pid("dbstack-run-1234-")).isEqualTo(-1);
        assertThat(ScratchDir.pid("dbstack-run--1f")).isEqualTo(-1);
        assertThat(ScratchDir.pid("dbstack-run-12a-1f")).isEqualTo(-1);
        assertThat(ScratchDir.pid("dbstack-run-12-XYZ")).isEqualTo(-1);
        assertThat(ScratchDir.pid("vertx-cache-1234")).isEqualTo(-1);
    }

    @Test
    void removesTheDirectoryOfARunThatIsGoneAndNothingElse(@TempDir Path tmp) throws Exception {
        Path gone = scratch(tmp, DEAD, true);
        Files.writeString(Files.createDirectories(gone.resolve("vertx-cache-x")).resolve("file"), "left by a killed run");
        Path someoneElses = Files.createDirectories(tmp.resolve("vertx-cache-123"));
        Path notOurs = Files.createDirectories(tmp.resolve("dbstack-run-notes"));

        ScratchDir.removeStale(tmp);

        assertThat(gone).doesNotExist();
        assertThat(someoneElses).exists();
        assertThat(notOurs).exists();
    }

    @Test
    void keepsTheDirectoryOfARunThatHoldsItsLock(@TempDir Path tmp) throws Exception {
        Path held = scratch(tmp, DEAD, true); // a pid this machine does not know: another pid namespace, say
        try (FileChannel channel = FileChannel.open(held.resolve(".lock"), StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            ScratchDir.removeStale(tmp);
            assertThat(held).exists();
        }
    }

    @Test
    void keepsTheDirectoryOfALiveRunStillMakingItsLock(@TempDir Path tmp) throws Exception {
        Path young = scratch(tmp, ProcessHandle.current().pid(), false);
        ScratchDir.removeStale(tmp);
        assertThat(young).exists();
    }

    private static Path scratch(Path tmp, long pid, boolean withLockFile) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(ScratchDir.PREFIX + pid + "-1f2e"));
        if (withLockFile) Files.createFile(dir.resolve(".lock"));
        return dir;
    }
}
