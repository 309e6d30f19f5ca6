package org.phrcloud.portal.api;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;

/**
 * An answer of the platform's APIs.
 *
 * @param status HTTP status
 * @param body   body text, empty when none
 */
public record ApiAnswer(int status, String body) {
    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public JsonObject object() {
        return (JsonObject) value();
    }

    public JsonArray array() {
        return (JsonArray) value();
    }

    private JsonValue value() {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return reader.readValue();
        }
    }

    /** Sentences for the codes people meet most, in place of the server's technical detail. */
    private static final java.util.Map<String, String> PLAIN = java.util.Map.of(
            "PHR-AUTHZ-0010", "You do not have access to this record. Ask the patient for access; if care cannot wait, use emergency access.",
            "PHR-AUTHZ-0011", "This search reaches records you may not see.",
            "PHR-AUTHZ-0003", "Your login is not linked to a health record yet. Ask your care provider to link it.",
            "PHR-AUTHZ-0002", "Sign in again with your authenticator app's code to do this.",
            "PHR-CONSENT-0302", "This request has already been decided or has ended.",
            "PHR-CONSENT-0303", "The signature does not match your key. Check that you chose your key file and typed its passphrase.");
    private static final java.util.regex.Pattern CODED = java.util.regex.Pattern.compile("((?:PHR-[A-Z0-9]+|HAPI)-\\d{4}): (.*)", java.util.regex.Pattern.DOTALL);

    /**
     * The error for a person, in plain words with the code kept small at the end for support: a known code's sentence,
     * else the server's text ("No such consent for this caller (PHR-CONSENT-0301)"); the server's text is an RFC 9457
     * problem's {@code detail} or a FHIR OperationOutcome's first {@code issue.diagnostics}; without either, what the
     * status means.
     */
    public String message() {
        String raw = technicalMessage();
        java.util.regex.Matcher m = CODED.matcher(raw);
        if (!m.matches()) {
            return raw;
        }
        String code = m.group(1);
        String text = PLAIN.getOrDefault(code, m.group(2).isEmpty() ? "The server refused this."
                : Character.toUpperCase(m.group(2).charAt(0)) + m.group(2).substring(1));
        return text + (text.endsWith(".") ? "" : ".") + " (" + code + ")";
    }

    /** The server's own text: the problem's {@code detail}, the OperationOutcome's diagnostics, or the status. */
    public String technicalMessage() {
        try {
            JsonObject o = object();
            if (o.containsKey("detail")) {
                return o.getString("detail");
            }
            if ("OperationOutcome".equals(o.getString("resourceType", ""))) {
                return o.getJsonArray("issue").getJsonObject(0).getString("diagnostics", "refused");
            }
        } catch (RuntimeException notJson) {
            // fall through to the status
        }
        return status >= 500 ? "The server could not answer (status " + status + "). Try again in a moment."
                : "The server refused this (status " + status + ").";
    }
}
