package dev.dbstack.model;

/** A service of one app deployment: {@code shop/postgresql-1}. The node type of the service graph. */
public record ServiceId(String app, String layer) implements Comparable<ServiceId> {
    @Override
    public String toString() {
        return app + "/" + layer;
    }

    /**
     * The record's value hash, spread. JGraphT indexes edges by their (source, target) pair, hashed
     * as {@code 31 * a + b}; with the default record hash, layers named in sequence (c000, c001, …)
     * give so many equal pair hashes that a profile of a few hundred interdependent layers took
     * seconds to load into a graph.
     */
    @Override
    public int hashCode() {
        int h = (app.hashCode() * 0x9E3779B9 + layer.hashCode()) * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    @Override
    public int compareTo(ServiceId o) {
        int c = app.compareTo(o.app);
        return c != 0 ? c : layer.compareTo(o.layer);
    }
}
