package dev.dbstack.render.hooks;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** A layer's memory (a Kubernetes quantity: {@code 2Gi}, {@code 1536Mi}, {@code 2G}, {@code 1e9}) in bytes. */
final class MemoryRequest {
    static final long MIB = 1024 * 1024;

    private MemoryRequest() {}

    /** Whole bytes, rounded down; a quantity too large for a long counts as {@link Long#MAX_VALUE}. */
    static long bytes(String quantity) {
        BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(quantity)).setScale(0, RoundingMode.DOWN);
        return bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : Math.max(0, bytes.longValue());
    }
}
