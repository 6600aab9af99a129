package dev.dbstack.model;

import java.util.List;

/** Everything one stack declares, validated: the output of config and the input of graph. */
public record StackModel(
        Project project,
        String stack,
        String stackFile,
        List<ClusterGroup> clusterGroups,
        List<AppProfile> profiles,
        List<AppDeployment> apps) {

    public AppProfile profileOf(AppDeployment app) {
        return profiles.stream()
                .filter(p -> p.name().equals(app.profile()) && p.version().equals(app.profileVersion()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("validated model lost profile of " + app.name()));
    }

    public ClusterGroup clusterGroupOf(AppDeployment app) {
        return clusterGroups.stream()
                .filter(g -> g.name().equals(app.clusterGroup()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("validated model lost cluster group of " + app.name()));
    }

    public AppDeployment app(String name) {
        return apps.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no app deployment " + name));
    }

    public ServiceLayer layer(ServiceId id) {
        return profileOf(app(id.app())).layer(id.layer())
                .orElseThrow(() -> new IllegalArgumentException("no layer " + id));
    }
}
