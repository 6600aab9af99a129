package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ManagedDiffTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void serverDefaultsAndForeignFieldsAreNotChanges() throws Exception {
        JsonNode desired = json("{'metadata':{'labels':{'a':'1'}},'spec':{'containers':[{'name':'db','image':'pg:17','ports':[{'containerPort':5432}]}]}}");
        JsonNode live = json("{'metadata':{'labels':{'a':'1','team':'x'},'resourceVersion':'9'},'spec':{'containers':[{'name':'db',"
                + "'image':'pg:17','terminationMessagePath':'/dev/termination-log','ports':[{'containerPort':5432,'protocol':'TCP'}]}]},"
                + "'status':{'phase':'Running'}}");
        assertThat(ManagedDiff.changedPaths(desired, live)).isEmpty();
    }

    @Test
    void changedAndMissingManagedFieldsAreReportedByPath() throws Exception {
        JsonNode desired = json("{'metadata':{'labels':{'a':'2','b':'1'}},'spec':{'replicas':2,'containers':[{'name':'db','image':'pg:18'},{'name':'x'}]}}");
        JsonNode live = json("{'metadata':{'labels':{'a':'1'}},'spec':{'replicas':1,'containers':[{'name':'db','image':'pg:17'}]}}");
        assertThat(ManagedDiff.changedPaths(desired, live))
                .containsExactly("metadata.labels.a", "metadata.labels.b", "spec.replicas", "spec.containers");
    }

    @Test
    void mergePatchRemovesWhatTheLastApplySetAndDesiredDropped() throws Exception {
        JsonNode desired = json("{'metadata':{'labels':{'a':'1'}},'spec':{'replicas':2}}");
        JsonNode last = json("{'metadata':{'labels':{'a':'1','old':'x'},'annotations':{'k':'v'}},'spec':{'replicas':1}}");
        assertThat(ManagedDiff.mergePatch(desired, last)).isEqualTo(
                json("{'metadata':{'labels':{'a':'1','old':null},'annotations':null},'spec':{'replicas':2}}"));
    }
}
