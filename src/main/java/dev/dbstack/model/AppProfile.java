package dev.dbstack.model;

import java.util.List;
import java.util.Optional;

/** A named, semver-versioned, ordered list of service layers: databases at the bottom. */
public record AppProfile(String name, String version, List<ServiceLayer> layers, SourceRef source) {
    public String ref() {
        return name + "@" + version;
    }

    public Optional<ServiceLayer> layer(String layerName) {
        return layers.stream().filter(l -> l.name().equals(layerName)).findFirst();
    }
}
