package dev.dbstack.model;

/** CPU and memory requests (Kubernetes quantities); null fields fall back to the catalog's defaults. */
public record Resources(String cpu, String memory) {
    public static final Resources DEFAULT = new Resources(null, null);

    public Resources orElse(Resources fallback) {
        return new Resources(cpu != null ? cpu : fallback.cpu, memory != null ? memory : fallback.memory);
    }
}
