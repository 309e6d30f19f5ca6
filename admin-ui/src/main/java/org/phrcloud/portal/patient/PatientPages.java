package org.phrcloud.portal.patient;

import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;
import org.phrcloud.portal.api.Plain;
import org.phrcloud.portal.record.ClinicalSummary;
import org.phrcloud.portal.record.RecordReader;
import org.phrcloud.portal.record.Series;
import org.phrcloud.portal.record.TimelineEntry;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.phrcloud.portal.Messages.error;
import static org.phrcloud.portal.Messages.info;
import static org.phrcloud.portal.Messages.objects;

/**
 * The patient's pages: "My health record" (alerts, clinical summary, the whole record by kind with paging, plots), access requests (approve or reject, signed in the
 * browser with the patient's key: the signature arrives here, the key never does), "Who accessed my record", the
 * emergency-access notifications, and the one-time key file. Everything comes from the platform's APIs as the patient.
 */
@Named("patient")
@ViewScoped
public class PatientPages implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The series shown first when the record has them (LOINC: body weight, glucose, BMI, heart rate), else the most frequent. */
    private static final List<String> PREFERRED_SERIES = List.of("29463-7", "2339-0", "39156-5", "8867-4");

    @Inject
    PhrApi api;

    private JsonObject me;
    private String problem;
    private List<String> types = new ArrayList<>(RecordReader.TYPES.keySet());
    private String from = "";
    private String to = "";
    private String search = "";
    private List<TimelineEntry> timeline;
    private Map<String, String> plottable;
    private String seriesCode;
    private Series series;
    private List<Map<String, Object>> consents;
    private List<Map<String, Object>> accesses;
    private List<Map<String, Object>> notifications;
    private String consentId;
    private String decision;
    private String signature;
    private String passphrase;

    /** The identity the login is linked to ({@code GET /api/identity/me}); null with {@link #getProblem()} when none. */
    public JsonObject getMe() {
        if (me == null && problem == null) {
            ApiAnswer a = api.get("/api/identity/me");
            if (a.ok()) {
                me = a.object();
            } else {
                problem = a.message();
            }
        }
        return me;
    }

    public String getProblem() {
        return problem;
    }

    public String getPseudonym() {
        return getMe() == null ? "" : me.getString("pseudonym");
    }

    private List<String> patientIds() {
        List<String> ids = new ArrayList<>();
        if (getMe() != null) {
            me.getJsonArray("patientIds").forEach(v -> ids.add(((jakarta.json.JsonString) v).getString()));
        }
        return ids;
    }

    // --- My health record: the whole record by kind ---

    public List<TimelineEntry> getTimeline() {
        if (timeline == null) {
            load();
        }
        return timeline;
    }

    /** @return the entries read so far that match the search words ({@link TimelineEntry#matches}), newest first */
    public List<TimelineEntry> getShown() {
        return getTimeline().stream().filter(e -> e.matches(search)).toList();
    }

    /** @return {@link #getShown()} as rows: entries that say the same on one day grouped ({@link TimelineEntry#grouped}) */
    public List<TimelineEntry.Row> getRows() {
        return TimelineEntry.grouped(getShown());
    }

    /** Applies the filter (types, from, to as yyyy-mm-dd). */
    public void load() {
        timeline = new ArrayList<>();
        plottable = new LinkedHashMap<>();
        pages.clear();
        RecordReader reader = new RecordReader(api);
        try {
            List<JsonObject> observations = new ArrayList<>();
            for (String id : patientIds()) {
                RecordReader.Timeline read = reader.timeline(id, types);
                timeline.addAll(read.entries());
                read.pages().forEach((type, page) -> pages.put(type + "|" + id,
                        new Paging(type, Math.max(page.total(), page.resources().size()), page.resources().size(), page.next())));
                read.refused().forEach((type, why) -> error(RecordReader.words(type) + ": " + why));
                // the plot's series come from the latest observations, read once: by the timeline unless filtered out
                observations.addAll(types.contains("Observation") ? read.observations() : reader.observations(id));
            }
            plottable = RecordReader.plottable(observations);
        } catch (RecordReader.Refused e) {
            error(e.getMessage());
        }
        keptElsewhere();
        withinDatesNewestFirst();
        if (seriesCode == null && !plottable.isEmpty()) {
            seriesCode = PREFERRED_SERIES.stream().filter(plottable::containsKey).findFirst()
                    .orElse(plottable.keySet().iterator().next());
        }
        plot();
    }

    /**
     * How far the timeline has read one type of one record.
     *
     * @param type  FHIR resource type
     * @param total how many there are
     * @param shown how many are read so far
     * @param next  the path of the next (older) page; null when all are read
     */
    public record Paging(String type, int total, int shown, String next) implements Serializable {
        /** @return e.g. "Show older results and measurements (100 of 318 shown)" */
        public String label() {
            return "Show older " + RecordReader.words(type).toLowerCase(java.util.Locale.ROOT) + " (" + shown + " of " + total + " shown)";
        }
    }

    private final Map<String, Paging> pages = new LinkedHashMap<>();

    /** @return the types (of each linked record) with older entries not read yet */
    public List<Map.Entry<String, Paging>> getMore() {
        if (timeline == null) {
            load();
        }
        return pages.entrySet().stream().filter(e -> e.getValue().next() != null).toList();
    }

    /** @return how many entries the record has of the types asked, whether read yet or not */
    public int getTotal() {
        if (timeline == null) {
            load();
        }
        return pages.values().stream().mapToInt(Paging::total).sum() + keptElsewhereShown;
    }

    /** Keeps the timeline's entries between the filter's dates (yyyy-mm-dd, either may be empty), newest first. */
    private void withinDatesNewestFirst() {
        timeline.removeIf(e -> (!from.isBlank() && e.day().compareTo(from) < 0) || (!to.isBlank() && e.day().compareTo(to) > 0));
        timeline.sort(java.util.Comparator.comparing(TimelineEntry::date).reversed());
    }

    /** Reads the next (older) page of one type of one record ({@code key} from {@link #getMore()}) into the timeline. */
    public void older(String key) {
        Paging paging = pages.get(key);
        if (paging == null || paging.next() == null) {
            return;
        }
        try {
            RecordReader.Page page = new RecordReader(api).older(paging.next());
            page.resources().forEach(r -> timeline.add(RecordReader.entry(r)));
            pages.put(key, new Paging(paging.type(), paging.total(), paging.shown() + page.resources().size(), page.next()));
            withinDatesNewestFirst();
        } catch (RecordReader.Refused e) {
            error(e.getMessage());
        }
    }

    // --- alerts on arrival ---

    /**
     * What the patient must know first: requests waiting for their decision, emergency accesses in force (who, until
     * when, why), and records that institutions added since the previous visit ({@link #newRecordAlerts}). Empty when
     * there is nothing.
     */
    public List<String> getAlerts() {
        if (alerts == null) {
            alerts = alerts();
        }
        return alerts;
    }

    /** Read once per view: the page asks for them more than once, and the new records take two audit log reads. */
    private List<String> alerts;

    private List<String> alerts() {
        List<String> alerts = new ArrayList<>();
        if (getMe() == null) {
            return alerts;
        }
        int pending = consentsWithStatus("pending").size();
        if (pending > 0) {
            alerts.add(pending == 1 ? "1 access request waits for your decision." : pending + " access requests wait for your decision.");
        }
        java.time.Instant now = java.time.Instant.now();
        for (Map<String, Object> n : getNotifications()) {
            Object end = n.get("end");
            if ("active".equals(n.get("status")) && end != null && java.time.Instant.parse(end.toString()).isAfter(now)) {
                Object emergency = n.get("emergency");
                String why = emergency instanceof Map<?, ?> e && e.get("reason") != null ? ": \"" + e.get("reason") + "\"" : "";
                alerts.add("Emergency access by " + n.get("requester") + " is in force until "
                        + org.phrcloud.portal.Words.time(end) + why + ".");
            }
        }
        alerts.addAll(newRecordAlerts());
        return alerts;
    }

    /** How far back "new" reaches on a first visit. */
    private static final java.time.Duration FIRST_VISIT_WINDOW = java.time.Duration.ofDays(30);

    @Inject
    org.phrcloud.portal.api.Institutions institutions;

    /**
     * Records others added to my record since my previous visit, one line per institution: "3 new records from St
     * Mary's Hospital since your last visit on 2026-12-06 22:18 UTC". The previous visit is my newest own access in the
     * audit log before this portal session began; without one, the last 30 days count. New means written (create,
     * update, transaction) with success by someone else, and counted once per record of the kinds the timeline shows.
     */
    List<String> newRecordAlerts() {
        java.time.Instant sessionStart = java.time.Instant.ofEpochMilli(((jakarta.servlet.http.HttpSession) FacesContext
                .getCurrentInstance().getExternalContext().getSession(true)).getCreationTime());
        String me = user.getName();
        ApiAnswer previous = api.get("/api/audit/my-record?actor=" + PhrApi.enc(me) + "&to=" + sessionStart + "&limit=1");
        jakarta.json.JsonArray own = previous.ok() ? previous.array() : jakarta.json.JsonValue.EMPTY_JSON_ARRAY;
        String lastVisit = own.isEmpty() ? null : own.getJsonObject(0).getString("recorded");
        java.time.Instant since = lastVisit != null ? java.time.Instant.parse(lastVisit) : sessionStart.minus(FIRST_VISIT_WINDOW);
        ApiAnswer written = api.get("/api/audit/my-record?from=" + since + "&limit=1000");
        if (!written.ok()) {
            return List.of();
        }
        Map<String, java.util.Set<String>> byInstitution = new java.util.TreeMap<>();
        for (Map<String, Object> event : Plain.objects(written.array())) {
            if (me.equals(event.get("actor")) || !List.of("create", "update", "transaction").contains(event.get("kind"))
                    || !(event.get("outcome") instanceof Number n && n.intValue() == 0)) {
                continue;
            }
            String from = event.get("institutions") instanceof List<?> l && !l.isEmpty()
                    ? institutions.name(l.get(0)) : String.valueOf(event.get("actor"));
            if (event.get("resources") instanceof List<?> resources) {
                for (Object r : resources) {
                    String reference = unversioned(r);
                    if (RecordReader.TYPES.containsKey(reference.substring(0, Math.max(0, reference.indexOf('/'))))) {
                        byInstitution.computeIfAbsent(from, k -> new java.util.HashSet<>()).add(reference);
                    }
                }
            }
        }
        String when = lastVisit != null ? " since your last visit on " + org.phrcloud.portal.Words.time(lastVisit) : " in the last 30 days";
        List<String> lines = new ArrayList<>();
        byInstitution.forEach((institution, records) -> lines.add(records.size() + (records.size() == 1 ? " new record from " : " new records from ")
                + institution + when + "."));
        return lines;
    }

    // --- summary ---

    private List<ClinicalSummary> summaries;

    /** The clinical summary of each record linked to my identity (usually one). */
    public List<ClinicalSummary> getSummaries() {
        if (summaries == null) {
            summaries = new ArrayList<>();
            RecordReader reader = new RecordReader(api);
            for (String id : patientIds()) {
                summaries.add(reader.summary(id, java.time.LocalDate.now()));
            }
        }
        return summaries;
    }

    /** Loads the chosen observation series for the plot. */
    public void plot() {
        series = null;
        if (seriesCode == null || seriesCode.isBlank()) {
            return;
        }
        RecordReader reader = new RecordReader(api);
        try {
            List<Series.Point> points = new ArrayList<>();
            Series found = null;
            for (String id : patientIds()) {
                found = reader.series(id, seriesCode);
                points.addAll(found.points());
            }
            points.sort(java.util.Comparator.comparingLong(Series.Point::epochDay));
            series = found == null || points.isEmpty() ? null : new Series(found.code(), found.display(), found.unit(), points, found.range());
        } catch (RecordReader.Refused e) {
            error(e.getMessage());
        }
    }

    public Series getSeries() {
        if (timeline == null) {
            load();
        }
        return series;
    }

    public Map<String, String> getPlottable() {
        if (timeline == null) {
            load();
        }
        return plottable;
    }

    /** The filter's choices: type to its name in plain words. */
    public Map<String, String> getAllTypes() {
        return RecordReader.typesInWords();
    }

    // --- integrity ---

    private Map<String, Object> verification;
    private final Map<String, Proof> proofs = new LinkedHashMap<>();

    /**
     * A record's proof as shown: a status in words, and the details for those who want them (folded away).
     *
     * @param status  "In your chain and anchored on the blockchain", "In your chain, waiting for its anchor", ...
     * @param details version, Merkle root, chain id, block, transaction and proof size; empty when there are none
     */
    public record Proof(String status, String details) implements Serializable {
    }

    /** Has the server verify my whole chain: links, signatures, and every recorded resource against its entry. */
    public void verifyRecord() {
        ApiAnswer a = api.get("/api/ledger/patients/" + getPseudonym() + "/verify");
        if (a.ok()) {
            verification = Plain.map(a.object());
        } else {
            error(a.message());
        }
    }

    public Map<String, Object> getVerification() {
        return verification;
    }

    /**
     * Loads a record's proof ({@code GET /api/ledger/resources/{type}/{id}/proof}): whether its chain entry is under an
     * anchored Merkle root yet, and in which transaction.
     */
    public void proof(String reference) {
        if (reference == null || !reference.matches("[A-Za-z]+/[A-Za-z0-9.-]{1,64}")) {
            return;
        }
        ApiAnswer a = api.get("/api/ledger/resources/" + reference + "/proof");
        if (a.status() == 404) {
            proofs.put(reference, new Proof("Not recorded in your chain", ""));
        } else if (!a.ok()) {
            proofs.put(reference, new Proof(a.message(), ""));
        } else {
            JsonObject p = a.object();
            JsonObject anchor = p.isNull("anchor") ? null : p.getJsonObject("anchor");
            String version = p.getJsonObject("entry").getString("versionId", "");
            proofs.put(reference, anchor == null
                    ? new Proof("In your chain, waiting for its anchor", "Version " + version + " of " + reference
                    + " is an entry of a signed block of your chain; the block's Merkle root is anchored in the next round.")
                    : new Proof("In your chain and anchored on the blockchain",
                    "Version " + version + " of " + reference + ": Merkle root " + anchor.getString("root") + ", chain "
                    + anchor.getJsonNumber("chainId") + " block " + anchor.getJsonNumber("blockNumber") + ", transaction "
                    + anchor.getString("txHash") + "; inclusion proof " + p.getInt("sizeBytes") + " bytes."));
        }
    }

    public Map<String, Proof> getProofs() {
        return proofs;
    }

    /** How many records kept at other institutions the timeline shows (they have no pages). */
    private int keptElsewhereShown;

    /**
     * Adds the records my chain names at other institutions of the network ({@code GET /api/ledger/patients/{pseudonym}/kept-elsewhere}):
     * each fetched from where it is kept and checked against my chain by my home server; shown with where it is kept and
     * whether it matches (its proof), or, when it could not be fetched, said so.
     */
    private void keptElsewhere() {
        keptElsewhereShown = 0;
        String pseudonym = getPseudonym();
        if (pseudonym == null || pseudonym.isEmpty()) {
            return;
        }
        ApiAnswer a = api.get("/api/ledger/patients/" + pseudonym + "/kept-elsewhere");
        if (!a.ok()) {
            error("Records kept at other institutions: " + a.message());
            return;
        }
        int unavailable = 0;
        for (jakarta.json.JsonValue v : a.array()) {
            JsonObject checked = v.asJsonObject();
            String url = checked.getString("url");
            String status = checked.getString("status");
            if (!types.contains(checked.getString("resourceType")) || checked.isNull("resource")) {
                unavailable += types.contains(checked.getString("resourceType")) ? 1 : 0;
                continue;
            }
            TimelineEntry e = RecordReader.entry(checked.getJsonObject("resource"));
            java.net.URI where = java.net.URI.create(url);
            String place = where.getHost() + (where.getPort() < 0 ? "" : ":" + where.getPort());
            boolean verified = "VERIFIED".equals(status);
            timeline.add(new TimelineEntry(e.date(), e.type(), e.title(), e.detail() + " (kept at " + place + ")", url));
            keptElsewhereShown++;
            proofs.put(url, verified
                    ? new Proof("In your chain; kept at " + place + " and matches your chain",
                    "Version " + checked.getString("versionId") + " of " + url + " is an entry of block " + checked.getJsonNumber("height")
                            + " of your chain, signed by the institution that keeps it; fetched now and its content hash is the entry's.")
                    : new Proof("Changed where it is kept: it no longer matches your chain",
                    "Version " + checked.getString("versionId") + " of " + url + " is an entry of block " + checked.getJsonNumber("height")
                            + " of your chain, but what " + place + " answers now has another content hash."));
        }
        if (unavailable > 0) {
            error(unavailable + (unavailable == 1 ? " record" : " records") + " kept at other institutions could not be fetched now.");
        }
    }

    // --- access requests ---

    /** The consents about me, newest first, each with {@code documents} to sign while a decision is open. */
    public List<Map<String, Object>> getConsents() {
        if (consents == null) {
            consents = objects(api, "/api/consent");
        }
        return consents;
    }

    public List<Map<String, Object>> consentsWithStatus(String status) {
        return getConsents().stream().filter(c -> status.equals(c.get("status"))).toList();
    }

    /** Sends a signed decision (approve, reject or revoke) taken in the browser. */
    public void decide() {
        if (!List.of("approve", "reject", "revoke").contains(decision) || consentId == null || !consentId.matches("[A-Za-z0-9.-]{1,64}")) {
            error("Choose a request and a decision.");
            return;
        }
        String body = Json.createObjectBuilder().add("signature", signature == null ? "" : signature).build().toString();
        ApiAnswer a = api.call("POST", "/api/consent/" + consentId + "/" + decision, body);
        if (a.ok()) {
            info("Your decision (" + decision + ") is signed and recorded.");
        } else {
            error(a.message());
        }
        consents = null;
        signature = null;
    }

    // --- who accessed my record ---

    public List<Map<String, Object>> getAccesses() {
        if (accesses == null) {
            accesses = objects(api, "/api/audit/my-record?limit=200");
        }
        return accesses;
    }

    @Inject
    org.phrcloud.portal.PortalUser user;
    private boolean showOwn;
    private boolean onlyRefused;

    /**
     * The access log as shown: others' accesses, and my own only when asked for (they are most of it: every page I
     * open reads my record); only the refused ones when asked for.
     */
    public List<Map<String, Object>> getAccessLog() {
        String me = user.getName();
        return getAccesses().stream()
                .filter(a -> showOwn || !me.equals(a.get("actor")))
                .filter(a -> !onlyRefused || !(a.get("outcome") instanceof Number n && n.intValue() == 0))
                .toList();
    }

    /** @return how many of the accesses are my own */
    public long getOwnCount() {
        String me = user.getName();
        return getAccesses().stream().filter(a -> me.equals(a.get("actor"))).count();
    }

    /** @return who accessed, after their username, in words: ", practitioner at St Mary's Hospital" */
    public String who(Map<String, Object> access) {
        String roles = access.get("roles") instanceof List<?> l ? String.join(", ", l.stream().map(String::valueOf).toList()) : "";
        String places = access.get("institutions") instanceof List<?> l ? institutions.names(l) : "";
        return (roles.isEmpty() ? "" : ", " + roles) + (places.isEmpty() ? "" : " at " + places);
    }

    public boolean isShowOwn() {
        return showOwn;
    }

    public void setShowOwn(boolean showOwn) {
        this.showOwn = showOwn;
    }

    public boolean isOnlyRefused() {
        return onlyRefused;
    }

    public void setOnlyRefused(boolean onlyRefused) {
        this.onlyRefused = onlyRefused;
    }

    /** @return what an access touched, for reading: the record ({@code Type/id}) or how many */
    public String touched(Map<String, Object> access) {
        Object resources = access.get("resources");
        if (!(resources instanceof List<?> list) || list.isEmpty()) {
            return "";
        }
        return list.size() == 1 ? unversioned(list.get(0)) : list.size() + " records";
    }

    /** @return an audit event's {@code Type/id/_history/v} as {@code Type/id} */
    private static String unversioned(Object reference) {
        return String.valueOf(reference).replaceAll("/_history/.*", "");
    }

    public List<Map<String, Object>> getNotifications() {
        if (notifications == null) {
            notifications = objects(api, "/api/consent/notifications");
        }
        return notifications;
    }

    // --- key file ---

    /** Asks the identity layer for my key file, encrypted under my passphrase, and hands it to the browser as a download. */
    public void downloadKeyFile() throws IOException {
        if (getMe() == null) {
            error(problem);
            return;
        }
        String body = Json.createObjectBuilder().add("passphrase", passphrase == null ? "" : passphrase).build().toString();
        passphrase = null;
        ApiAnswer a = api.call("POST", "/api/identity/patients/" + getPseudonym() + "/key-file", body);
        if (!a.ok()) {
            error(a.message());
            return;
        }
        FacesContext faces = FacesContext.getCurrentInstance();
        ExternalContext ec = faces.getExternalContext();
        ec.responseReset();
        ec.setResponseContentType("application/json");
        ec.setResponseHeader("Content-Disposition", "attachment; filename=\"phr-patient-key.json\"");
        ec.setResponseHeader("Cache-Control", "no-store");
        ec.getResponseOutputStream().write(a.body().getBytes(StandardCharsets.UTF_8));
        faces.responseComplete();
    }

    // --- form fields ---

    public List<String> getTypes() {
        return types;
    }

    public void setTypes(List<String> types) {
        this.types = types;
    }

    public String getSearch() {
        return search;
    }

    public void setSearch(String search) {
        this.search = search == null ? "" : search;
    }

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from == null ? "" : from;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to == null ? "" : to;
    }

    public String getSeriesCode() {
        return seriesCode;
    }

    public void setSeriesCode(String seriesCode) {
        this.seriesCode = seriesCode;
    }

    public String getConsentId() {
        return consentId;
    }

    public void setConsentId(String consentId) {
        this.consentId = consentId;
    }

    public String getDecision() {
        return decision;
    }

    public void setDecision(String decision) {
        this.decision = decision;
    }

    public String getSignature() {
        return signature;
    }

    public void setSignature(String signature) {
        this.signature = signature;
    }

    public String getPassphrase() {
        return "";
    }

    public void setPassphrase(String passphrase) {
        this.passphrase = passphrase;
    }
}
