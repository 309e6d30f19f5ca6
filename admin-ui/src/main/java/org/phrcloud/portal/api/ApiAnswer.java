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

    /**
     * The error text for a person: an RFC 9457 problem's {@code detail}, a FHIR OperationOutcome's first
     * {@code issue.diagnostics}, or the status alone.
     */
    public String message() {
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
        return "the server answered " + status;
    }
}
