package dev.dbstack.state;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;

/**
 * A separate JVM for crash and lock tests. {@code journal DIR N}: records N entries, checkpointing
 * every 7, printing "ack i" after each one is durable. {@code lock DIR}: takes the stack lock and
 * holds it until killed.
 */
public final class StateWriterProcess {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("lock")) {
            StackLock lock = StackLock.acquire(dir, "test", "dbstack up --stack test");
            System.out.println("locked " + lock.holder().pid());
            System.out.flush();
            Thread.sleep(120_000);
            return;
        }
        StateStore store = new StateStore(dir);
        int n = Integer.parseInt(args[2]);
        StateStore.State state = store.load();
        for (int i = 0; i < n; i++) {
            store.record(new StateStore.JournalEntry("object-" + i, JsonNodeFactory.instance.numberNode(i)));
            state.entries().put("object-" + i, JsonNodeFactory.instance.numberNode(i));
            if (i % 7 == 6) store.checkpoint(state);
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
