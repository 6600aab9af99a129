package dev.dbstack.model;

/** A service of one app deployment: {@code shop/postgresql-1}. The node type of the service graph. */
public record ServiceId(String app, String layer) implements Comparable<ServiceId> {
    @Override
    public String toString() {
        return app + "/" + layer;
    }

    @Override
    public int compareTo(ServiceId o) {
        int c = app.compareTo(o.app);
        return c != 0 ? c : layer.compareTo(o.layer);
    }
}
