package org.phrcloud.portal.research;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;
import org.phrcloud.portal.api.Plain;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.phrcloud.portal.Messages.error;
import static org.phrcloud.portal.Messages.info;
import static org.phrcloud.portal.Messages.objects;

/**
 * The researcher's pages: ask patients for research consent (a study), request an anonymized data set from a study's
 * research pool (cohort criteria, attributes, k and l), follow its progress, read its risk report and download it.
 * Every call goes to {@code /api/consent/studies} and {@code /api/research} as the researcher (acr 2), which audits it.
 */
@Named("research")
@ViewScoped
public class ResearchPages implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Attributes offered in the form: name, source, class (see the research API's DataSetRequest). */
    private static final List<List<String>> ATTRIBUTES = List.of(
            List.of("age", "age", "quasi-identifier"),
            List.of("sex", "sex", "quasi-identifier"),
            List.of("postalCode", "postalCode", "quasi-identifier"),
            List.of("condition", "condition", "sensitive"));

    @Inject
    PhrApi api;

    private List<Map<String, Object>> dataSets;
    // study
    private String eligibility = "";
    private int size = 10;
    private int studyDays = 365;
    // data set request
    private String study = "";
    private String purpose = "";
    private String cohort = "";
    private List<String> attributes = new ArrayList<>(List.of("age", "sex", "condition"));
    private int k = 5;
    private Integer l = 2;
    private String algorithm = "full-domain";

    /** My data sets, newest first, with status, phase and percent; once done with counts, risk and information loss. */
    public List<Map<String, Object>> getDataSets() {
        if (dataSets == null) {
            dataSets = objects(api, "/api/research/datasets");
        }
        return dataSets;
    }

    private List<Map<String, Object>> myActions;

    /** My own access history ({@code GET /api/audit/my-actions}): requests, runs, downloads and queries, newest first. */
    public List<Map<String, Object>> getMyActions() {
        if (myActions == null) {
            ApiAnswer a = api.get("/api/audit/my-actions?limit=50");
            myActions = a.ok() ? Plain.objects(a.array()) : List.of();
        }
        return myActions;
    }

    /** @return whether a data set is still being made (the page then refreshes itself) */
    public boolean isRunning() {
        return getDataSets().stream().anyMatch(d -> !List.of("done", "failed").contains(String.valueOf(d.get("status"))));
    }

    public void refresh() {
        dataSets = null;
    }

    /** Asks {@link #size} eligible patients, drawn at random, for research consent (Observation, Condition; level full). */
    public void createStudy() {
        String body = Json.createObjectBuilder().add("eligibility", eligibility.trim()).add("size", size)
                .add("resourceTypes", Json.createArrayBuilder().add("Patient").add("Observation").add("Condition"))
                .add("level", "full").add("days", studyDays).build().toString();
        ApiAnswer a = api.call("POST", "/api/consent/studies", body);
        if (a.ok()) {
            study = a.object().getString("id");
            info("Study " + study + " created: " + a.object().getInt("asked") + " patients asked.");
        } else {
            error(a.message());
        }
    }

    /** Sends the data set request; the job then runs on the server. */
    public void requestDataSet() {
        JsonArrayBuilder attrs = Json.createArrayBuilder()
                .add(Json.createObjectBuilder().add("name", "subject").add("source", "pseudonym").add("class", "identifier"));
        for (List<String> a : ATTRIBUTES) {
            if (attributes.contains(a.get(0))) {
                attrs.add(Json.createObjectBuilder().add("name", a.get(0)).add("source", a.get(1)).add("class", a.get(2)));
            }
        }
        JsonArrayBuilder cohorts = Json.createArrayBuilder();
        if (!cohort.isBlank()) {
            cohorts.add(cohort.trim());
        }
        JsonObjectBuilder body = Json.createObjectBuilder().add("study", study.trim()).add("purpose", purpose.trim())
                .add("cohort", cohorts).add("attributes", attrs).add("k", k).add("algorithm", algorithm);
        if (l != null) {
            body.add("l", l);
        }
        ApiAnswer a = api.call("POST", "/api/research/datasets", body.build().toString());
        if (a.ok()) {
            info("Data set " + a.object().getString("id") + " requested.");
            dataSets = null;
        } else {
            error(a.message());
        }
    }

    public List<String> getAttributeNames() {
        return ATTRIBUTES.stream().map(a -> a.get(0)).toList();
    }

    public String getEligibility() { return eligibility; }
    public void setEligibility(String v) { eligibility = v == null ? "" : v; }
    public int getSize() { return size; }
    public void setSize(int v) { size = v; }
    public int getStudyDays() { return studyDays; }
    public void setStudyDays(int v) { studyDays = v; }
    public String getStudy() { return study; }
    public void setStudy(String v) { study = v == null ? "" : v; }
    public String getPurpose() { return purpose; }
    public void setPurpose(String v) { purpose = v == null ? "" : v; }
    public String getCohort() { return cohort; }
    public void setCohort(String v) { cohort = v == null ? "" : v; }
    public List<String> getAttributes() { return attributes; }
    public void setAttributes(List<String> v) { attributes = v; }
    public int getK() { return k; }
    public void setK(int v) { k = v; }
    public Integer getL() { return l; }
    public void setL(Integer v) { l = v; }
    public String getAlgorithm() { return algorithm; }
    public void setAlgorithm(String v) { algorithm = v; }
}
