package dev.dbstack.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What counts as a cluster that did not answer (its apps fail, the others go on) and what is an answer. */
class UnreachableClusterTest {
    private static KubernetesClientException noAnswer(Exception cause) {
        return new KubernetesClientException("Operation: [list] for kind: [StatefulSet] failed.", cause);
    }

    @Test
    void noAnswerAtAllIsUnreachable() {
        assertThat(Engine.unreachableReason(noAnswer(new ConnectException("Connection refused")))).contains("Connection refused");
        assertThat(Engine.unreachableReason(noAnswer(new SocketTimeoutException("timeout")))).contains("timeout");
        assertThat(Engine.unreachableReason(noAnswer(new UnknownHostException("east.example")))).contains("east.example");
        assertThat(Engine.unreachableReason(noAnswer(new SSLHandshakeException("PKIX path building failed"))))
                .contains("PKIX path building failed");
        assertThat(Engine.unreachableReason(noAnswer(new java.io.IOException(new ConnectException())))).contains("ConnectException");
    }

    @Test
    void anHttpAnswerIsNotUnreachable() {
        for (int code : new int[] {401, 403, 404, 500}) {
            KubernetesClientException answered = new KubernetesClientException(new StatusBuilder().withCode(code)
                    .withMessage("forbidden").build());
            assertThat(Engine.unreachableReason(answered)).as("HTTP %d", code).isEmpty();
        }
        assertThat(Engine.unreachableReason(new IllegalStateException("a bug"))).isEmpty();
    }
}
