package org.phrcloud.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import org.phrcloud.identity.keys.EcdsaP256;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.phrcloud.it.support.Calls.json;

/**
 * demo-family-doctor as the custodian of patients who do not decide for themselves (the Synthea patients): registers a
 * fresh signing key, is linked to patients by the admin, and signs decisions on their consents.
 */
public final class Custodian {
    public static final String USERNAME = "demo-family-doctor";

    private final Calls calls;
    private final KeyPair key = EcdsaP256.generate();
    private final Map<String, JsonNode> custody = new HashMap<>();

    /** Registers a new signing key for the family doctor (it replaces the one before). */
    public Custodian(Calls calls) throws Exception {
        this.calls = calls;
        HttpResponse<String> r = calls.api("PUT", "/consent/custodian-key", calls.token(USERNAME, "2"),
                "{\"publicKey\":\"" + Base64.getEncoder().encodeToString(key.getPublic().getEncoded()) + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    /** The admin links the family doctor as the custodian of the patient (pseudonym). */
    public void linkTo(String pseudonym) throws Exception {
        HttpResponse<String> r = calls.api("PUT", "/consent/custodians/" + pseudonym + "/" + USERNAME, calls.token("demo-admin", "2"), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    /** Signs and sends a decision (approve, reject, revoke) on a consent of one of the wards. */
    public void decide(String consentId, String decision) throws Exception {
        if (!custody.containsKey(consentId)) {
            custody.clear();
            for (JsonNode c : json(calls.api("GET", "/consent/custody", calls.token(USERNAME, "2"), null))) {
                custody.put(c.path("id").asText(), c);
            }
        }
        byte[] document = custody.get(consentId).path("documents").path(decision).asText().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = calls.api("POST", "/consent/" + consentId + "/" + decision, calls.token(USERNAME, "2"),
                "{\"signature\":\"" + Base64.getEncoder().encodeToString(EcdsaP256.sign(key.getPrivate(), document)) + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
