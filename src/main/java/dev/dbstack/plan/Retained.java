package dev.dbstack.plan;

import dev.dbstack.model.ServiceId;
import java.util.List;

/**
 * A database's data kept after its workload was removed: which claims hold it, what wrote it (so
 * that a later layer of another type or an older version cannot take it over), and the Secrets with
 * the credentials that open it, which are kept next to it.
 *
 * @param data     {@code app/<workload>}: the name the data lives under (a layer's name, or its earlier
 *                 name for a renamed layer); generated credentials are kept in state under it
 * @param service  the layer that last owned it
 * @param engine   the engine of a type with engines that wrote it (null: none recorded, the type's default)
 * @param claims   the PersistentVolumeClaims that hold it, at the time it was kept
 */
public record Retained(ServiceId data, String namespace, ServiceId service, String type, String engine, String version,
                       List<String> secrets, List<String> claims) {}
