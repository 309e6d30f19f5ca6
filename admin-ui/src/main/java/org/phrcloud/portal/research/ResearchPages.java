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

    private List<Map<String, Object>> studies;

    /**
     * My studies, newest first ({@code GET /api/consent/studies}): id, createdAt, eligibility, eligible, asked,
     * statuses (consents per status) and pool (patients whose consent is in force).
     */
    public List<Map<String, Object>> getStudies() {
        if (studies == null) {
            studies = objects(api, "/api/consent/studies");
            if (study.isBlank() && !studies.isEmpty()) {
                study = String.valueOf(studies.get(0).get("id"));
            }
        }
        return studies;
    }

    /** A study in one line, for the list and the data set form: when, how many asked, how many consents per status. */
    public String describe(Map<String, Object> s) {
        Object statuses = s.get("statuses");
        String counts = statuses instanceof Map<?, ?> m && !m.isEmpty()
                ? String.join(", ", m.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()) : "no answers yet";
        String created = String.valueOf(s.get("createdAt"));
        return "Study of " + (created.length() >= 10 ? created.substring(0, 10) : created) + ": " + s.get("asked") + " asked ("
                + counts + "); " + (s.get("pool") instanceof List<?> pool ? pool.size() : 0) + " in the research pool";
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
            studies = null;
            info("Study created: " + a.object().getInt("asked") + " patients asked. It is chosen for the data set below.");
        } else {
            error(a.message());
        }
    }

    /**
     * Sends the data set request once it holds together (a study chosen, a purpose, at least one quasi-identifier, l no
     * greater than k; the form's validators check k and l themselves); the job then runs on the server.
     */
    public void requestDataSet() {
        boolean ok = true;
        if (study.isBlank()) {
            error("dataset:study", "Choose a study: the data set is drawn from its research pool.");
            ok = false;
        }
        if (purpose.isBlank()) {
            error("dataset:purpose", "Say what the data set is for; it is recorded with every access.");
            ok = false;
        }
        if (ATTRIBUTES.stream().noneMatch(a -> attributes.contains(a.get(0)) && "quasi-identifier".equals(a.get(2)))) {
            error("dataset:attributes", "Choose at least one of age, sex or postal code: without them there is nothing to anonymize by.");
            ok = false;
        }
        if (l != null && l > k) {
            error("dataset:l", "l cannot be greater than k: a group of k records holds at most k different conditions.");
            ok = false;
        }
        if (!ok) {
            return;
        }
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
