package dev.dbstack.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KubernetesBackendTest {
    private static Sandbox sandbox;
    private static KubernetesClient client;
    private static int stacks;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start();
        client = sandbox.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("state").endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static KubernetesBackend backend(String stack) {
        return new KubernetesBackend(client, BackendUrl.parse("kubernetes://sandbox/state"), "proj", stack);
    }

    private static String fresh() {
        return "s" + (++stacks);
    }

    @Test
    void recordsReplayAndCheckpointsFold() {
        String stack = fresh();
        StackState s = StackState.open(backend(stack));
        s.putCredential("a/b/password", "v1:cipher");
        s.putObject("v1|Secret|ns|x", "app", "app/db", JsonNodeFactory.instance.objectNode().put("k", 1));
        s.removeObject("v1|Secret|ns|x");
        StackState reopened = StackState.open(backend(stack));
        assertThat(reopened.serial()).isEqualTo(3);
        assertThat(reopened.credentials()).containsEntry("a/b/password", "v1:cipher");
        assertThat(reopened.objects()).isEmpty();
        reopened.checkpoint();
        KubernetesBackend b = backend(stack);
        assertThat(b.load().journalLength()).isZero();
        assertThat(StackState.open(b).serial()).isEqualTo(3);
        assertThat(client.secrets().inNamespace("state").withLabel(KubernetesBackend.PART_LABEL, "journal")
                .withLabel(KubernetesBackend.STACK_LABEL, stack).list().getItems()).isEmpty();
        // a checkpoint with nothing new writes nothing
        String version = client.secrets().inNamespace("state").withName(b.headName()).get().getMetadata().getResourceVersion();
        StackState.open(b).checkpoint();
        assertThat(client.secrets().inNamespace("state").withName(b.headName()).get().getMetadata().getResourceVersion())
                .isEqualTo(version);
    }

    @Test
    void aRunThatChangesNothingWritesNoSecret() {
        String stack = fresh();
        long before = sandbox.writeRequests();
        StackState empty = StackState.open(backend(stack));
        empty.removeObject("never recorded");
        empty.checkpoint();
        assertThat(sandbox.writeRequests()).as("a stack with no state gets no empty snapshot").isEqualTo(before);
        assertThat(client.secrets().inNamespace("state").withLabel(KubernetesBackend.STACK_LABEL, stack).list().getItems()).isEmpty();

        StackState s = StackState.open(backend(stack));
        s.putCredential("a/b/password", "v1:cipher");
        s.putEncryptionSalt("v1:salt");
        s.checkpoint();
        before = sandbox.writeRequests();
        StackState again = StackState.open(backend(stack));
        again.putCredential("a/b/password", "v1:cipher");
        again.putEncryptionSalt("v1:salt");
        again.checkpoint();
        assertThat(sandbox.writeRequests()).as("the same values again are no change").isEqualTo(before);
        assertThat(again.serial()).isEqualTo(2);
    }

    @Test
    void aStateLargerThanOneObjectRoundTripsInChunks() {
        String stack = fresh();
        KubernetesBackend b = backend(stack);
        StackState s = StackState.open(b);
        Random random = new Random(7);
        byte[] noise = new byte[48 * 1024];
        for (int i = 0; i < 60; i++) { // ~3.8 MiB base64 of noise: does not compress
            random.nextBytes(noise);
            s.putCredential("app/db/" + i, Base64.getEncoder().encodeToString(noise));
        }
        s.checkpoint();
        List<Secret> chunks = client.secrets().inNamespace("state").withLabel(KubernetesBackend.PART_LABEL, "chunk")
                .withLabel(KubernetesBackend.STACK_LABEL, stack).list().getItems();
        assertThat(chunks.size()).isGreaterThan(4);
        for (Secret c : chunks) assertThat(c.getData().get("chunk").length()).isLessThan(800 * 1024);
        StackState back = StackState.open(backend(stack));
        assertThat(back.credentials()).hasSize(60).isEqualTo(s.credentials());
        assertThat(back.serial()).isEqualTo(60);
        // a second checkpoint replaces the generation and deletes the old one
        back.putCredential("app/db/extra", "x");
        back.checkpoint();
        assertThat(client.secrets().inNamespace("state").withLabel(KubernetesBackend.PART_LABEL, "chunk")
                .withLabel(KubernetesBackend.STACK_LABEL, stack).list().getItems())
                .allMatch(c -> c.getMetadata().getLabels().get(KubernetesBackend.GENERATION_LABEL).equals("2"));
        assertThat(StackState.open(backend(stack)).credentials()).hasSize(61);
    }

    private static String checkpointed(String stack) {
        StackState s = StackState.open(backend(stack));
        s.putCredential("a/b/c", "cipher");
        s.checkpoint();
        s.putCredential("a/b/d", "cipher2");
        return backend(stack).headName();
    }

    @Test
    void aHandEditedChunkIsRefusedNamingTheSecret() {
        String stack = fresh();
        String head = checkpointed(stack);
        client.secrets().inNamespace("state").withName(head + "-g1-0").edit(s -> {
            s.getData().put("chunk", Base64.getEncoder().encodeToString("garbage".getBytes()));
            return s;
        });
        assertThatThrownBy(() -> backend(stack).load()).isInstanceOf(UserInputException.class)
                .hasMessageContaining("state Secret state/" + head).hasMessageContaining("checksum")
                .hasMessageContaining("restore it from a backup, or delete the stack's state Secrets".substring(1));
    }

    @Test
    void aMissingChunkOrRecordIsRefusedAsTruncated() {
        String stack = fresh();
        String head = checkpointed(stack);
        client.secrets().inNamespace("state").withName(head + "-g1-0").delete();
        assertThatThrownBy(() -> backend(stack).load()).hasMessageContaining("state Secret state/" + head + "-g1-0")
                .hasMessageContaining("truncated");

        String other = fresh();
        StackState s = StackState.open(backend(other));
        for (int i = 0; i < 3; i++) s.putCredential("a/b/" + i, "c");
        client.secrets().inNamespace("state").withName(backend(other).journalName(2)).delete();
        assertThatThrownBy(() -> backend(other).load()).hasMessageContaining(backend(other).journalName(2))
                .hasMessageContaining("truncated");
    }

    @Test
    void aNewerFormatOrAnEditedRecordIsRefused() {
        String stack = fresh();
        String head = checkpointed(stack);
        client.secrets().inNamespace("state").withName(head).edit(s -> {
            s.getData().put("head", Base64.getEncoder().encodeToString("{\"format\":2}".getBytes()));
            return s;
        });
        assertThatThrownBy(() -> backend(stack).load()).hasMessageContaining("state Secret state/" + head + " ")
                .hasMessageContaining("newer dbstack");

        String other = fresh();
        StackState.open(backend(other)).putCredential("a/b/c", "c");
        client.secrets().inNamespace("state").withName(backend(other).journalName(1)).edit(s -> {
            s.getData().put("record", Base64.getEncoder().encodeToString("{\"key\":\"a/b/c\",\"serial\":1}".getBytes()));
            return s;
        });
        assertThatThrownBy(() -> backend(other).load()).hasMessageContaining(backend(other).journalName(1))
                .hasMessageContaining("checksum");
    }

    @Test
    void ofTwoRacingRunsExactlyOneTakesTheLease() throws Exception {
        String stack = fresh();
        int racers = 6;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Future<StateBackend.Lock>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            int n = i;
            Callable<StateBackend.Lock> c = () -> {
                go.await();
                return backend(stack).acquire("up #" + n);
            };
            results.add(pool.submit(c));
        }
        go.countDown();
        List<StateBackend.Lock> won = new ArrayList<>();
        List<Throwable> refused = new ArrayList<>();
        for (Future<StateBackend.Lock> f : results) {
            try {
                won.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                refused.add(e.getCause());
            }
        }
        pool.shutdown();
        assertThat(won).hasSize(1);
        assertThat(refused).hasSize(racers - 1).allSatisfy(e -> assertThat(e).isInstanceOf(UserInputException.class)
                .hasMessageContaining("is locked by pid " + ProcessHandle.current().pid())
                .hasMessageContaining("running `" + won.get(0).holder().command() + "`")
                .hasMessageContaining("dbstack cancel --stack " + stack));
        assertThat(backend(stack).holder()).contains(won.get(0).holder());
        won.get(0).close();
        assertThat(backend(stack).isLocked()).isFalse();
        backend(stack).acquire("up again").close();
    }

    @Test
    void anExpiredLeaseIsTakenOverWithAWarningAndCancelBreaksAFreshOne() throws Exception {
        String stack = fresh();
        System.setProperty(LeaseLock.DURATION_PROPERTY, "2");
        try {
            LeaseLock.Held dead = (LeaseLock.Held) backend(stack).acquire("up --stack dead");
            dead.stopRenewing();
            Thread.sleep(2600);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.err;
            System.setErr(new java.io.PrintStream(err, true));
            StateBackend.Lock taken;
            try {
                taken = backend(stack).acquire("up --stack alive");
            } finally {
                System.setErr(old);
            }
            assertThat(err.toString()).contains("warning: taking over the lock of stack '" + stack + "'")
                    .contains("running `up --stack dead`");
            // the live holder renews: it is still held after longer than the duration
            Thread.sleep(2600);
            assertThatThrownBy(() -> backend(stack).acquire("up --stack third")).hasMessageContaining("running `up --stack alive`");
            Lease l = client.resources(Lease.class).inNamespace("state").withName(backend(stack).headName()).get();
            assertThat(l.getSpec().getHolderIdentity()).endsWith("/" + ProcessHandle.current().pid() + "/up --stack alive");
            assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
            assertThat(backend(stack).breakLock()).isTrue();
            assertThat(backend(stack).isLocked()).isFalse();
            taken.close(); // cancelled meanwhile: nothing to release, no error
        } finally {
            System.clearProperty(LeaseLock.DURATION_PROPERTY);
        }
    }

    @Test
    void backendUrlsParseOrSayWhatIsWrong() {
        assertThat(BackendUrl.parse("kubernetes://sandbox/dbstack-state")).isEqualTo(
                new BackendUrl("kubernetes", "sandbox", "dbstack-state", null));
        assertThat(BackendUrl.parse("file://").isKubernetes()).isFalse();
        assertThatThrownBy(() -> BackendUrl.parse("s3://bucket")).hasMessageContaining("unknown scheme 's3'");
        assertThatThrownBy(() -> BackendUrl.parse("kubernetes://ctx")).hasMessageContaining("names no namespace");
        assertThatThrownBy(() -> BackendUrl.parse("kubernetes://ctx/Bad_NS")).hasMessageContaining("not a Kubernetes namespace");
        assertThatThrownBy(() -> BackendUrl.parse("kube rnetes:/x")).hasMessageContaining("is not a URL");
    }

    @Test
    void aRunWhoseLeaseWasTakenAwayStopsAtItsNextRecord() throws Exception {
        String stack = fresh();
        System.setProperty(LeaseLock.DURATION_PROPERTY, "3");
        try {
            KubernetesBackend mine = backend(stack);
            StateBackend.Lock held = mine.acquire("up --stack mine");
            mine.record(new StateStore.JournalEntry("object:a", com.fasterxml.jackson.databind.node.TextNode.valueOf("1"), 1));
            assertThat(backend(stack).breakLock()).as("dbstack cancel from elsewhere").isTrue();
            Thread.sleep(2500); // the renewer runs every second and finds the Lease gone
            java.io.PrintStream old = System.err;
            System.setErr(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
            try {
                assertThatThrownBy(() -> mine.record(new StateStore.JournalEntry("object:b",
                        com.fasterxml.jackson.databind.node.TextNode.valueOf("2"), 2)))
                        .isInstanceOf(StateStorageException.class)
                        .hasMessageContaining("lock was removed or taken over by another run");
            } finally {
                System.setErr(old);
            }
            assertThat(backend(stack).load().entries()).containsOnlyKeys("object:a");
            held.close();
        } finally {
            System.clearProperty(LeaseLock.DURATION_PROPERTY);
        }
    }
}
