package org.phrcloud.portal.patient;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code GET /portal/patient/download}: the patient's whole record as a ZIP, verifiable without PHR Cloud:
 * <ul>
 *   <li>{@code record-bundle.json}: a FHIR R4 Bundle (type collection) of every resource of {@code Patient/[id]/$everything}
 *       (all pages, all linked Patients);</li>
 *   <li>{@code chain.json}: the patient's chain with every anchor's evidence ({@code phr-chain-export/1},
 *       {@code GET /api/ledger/patients/{pseudonym}/export});</li>
 *   <li>{@code keys.json}: the institutions' public signing keys (JWKS) that signed the blocks;</li>
 *   <li>{@code README.txt}: how to check it with the standalone verifier.</li>
 * </ul>
 * Patients only (web.xml {@code /patient/*}); every read is the patient's own and audited by the APIs.
 */
@WebServlet("/patient/download")
public class RecordDownload extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int MAX_PAGES = 200;

    @Inject
    PhrApi api;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApiAnswer me = api.get("/api/identity/me");
        if (!me.ok()) {
            response.sendError(me.status() == 404 ? 404 : 502, "This login is not linked to a patient record.");
            return;
        }
        String pseudonym = me.object().getString("pseudonym");
        JsonArrayBuilder entries = Json.createArrayBuilder();
        int count = 0;
        for (JsonValue id : me.object().getJsonArray("patientIds")) {
            String next = "/fhir/Patient/" + ((jakarta.json.JsonString) id).getString() + "/$everything?_count=200";
            for (int page = 0; next != null && page < MAX_PAGES; page++) {
                ApiAnswer a = api.get(next);
                if (!a.ok()) {
                    response.sendError(502, "The record could not be read: " + a.message());
                    return;
                }
                JsonObject bundle = a.object();
                if (bundle.containsKey("entry")) {
                    for (JsonValue e : bundle.getJsonArray("entry")) {
                        JsonObject entry = e.asJsonObject();
                        entries.add(Json.createObjectBuilder().add("fullUrl", entry.getString("fullUrl", ""))
                                .add("resource", entry.getJsonObject("resource")));
                        count++;
                    }
                }
                next = nextPage(bundle);
            }
        }
        JsonObject record = Json.createObjectBuilder().add("resourceType", "Bundle").add("type", "collection")
                .add("total", count).add("entry", entries).build();
        ApiAnswer chain = api.get("/api/ledger/patients/" + pseudonym + "/export");
        ApiAnswer keys = api.get("/api/identity/institutions/keys");
        response.setContentType("application/zip");
        response.setHeader("Content-Disposition", "attachment; filename=\"my-health-record.zip\"");
        response.setHeader("Cache-Control", "no-store");
        try (ZipOutputStream zip = new ZipOutputStream(response.getOutputStream())) {
            put(zip, "record-bundle.json", record.toString());
            if (chain.ok()) {
                put(zip, "chain.json", chain.body());
            }
            if (keys.ok()) {
                put(zip, "keys.json", keys.body());
            }
            put(zip, "README.txt", """
                    My health record from PHR Cloud.
                    record-bundle.json  every resource of my record (FHIR R4 Bundle, type collection)
                    chain.json          my chain of signed blocks and the evidence of each anchor (phr-chain-export/1)
                    keys.json           the public keys of the home institution that signed blocks (JWKS); blocks that
                                        other institutions of the network signed are checked with the keys they
                                        published on the chain, which the verifier reads from the chain node
                    Check it with the standalone verifier of PHR Cloud (its tools module):
                      java org.phrcloud.tools.VerifyCommand --export chain.json --keys keys.json --rpc <chain node URL> --bundle record-bundle.json
                    (or ./phr verify chain.json record-bundle.json on a PHR Cloud installation)
                    """ + (chain.ok() ? "" : "\nThere is no chain yet: nothing of this record has been recorded in the ledger.\n"));
        }
    }

    private static String nextPage(JsonObject bundle) {
        if (!bundle.containsKey("link")) {
            return null;
        }
        for (JsonValue l : bundle.getJsonArray("link")) {
            JsonObject link = l.asJsonObject();
            if ("next".equals(link.getString("relation", ""))) {
                String url = link.getString("url");
                int fhir = url.indexOf("/fhir");
                return fhir < 0 ? null : url.substring(fhir);
            }
        }
        return null;
    }

    private static void put(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
