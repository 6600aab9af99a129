package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.model.ServiceId;

/** What state says dbstack last applied to one object (Secret values left out). */
public record Recorded(ObjectRef ref, String app, ServiceId service, JsonNode lastApplied) {}
