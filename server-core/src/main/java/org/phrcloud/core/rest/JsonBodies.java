package org.phrcloud.core.rest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * JSON bodies of the APIs, read and written with Jackson ({@link #MAPPER}) by the resources
 * themselves. Payara's Jersey binds its JSON-B provider ahead of any application provider for
 * {@code application/json} (seen on Payara 6.2025.9, also with {@code jersey.config.disableJsonb}), and JSON-B
 * does not know FHIR codes such as {@code "male"}; so bodies cross the boundary as text.
 */
public final class JsonBodies {
    /** The JSON mapper of every API: ISO-8601 times, and an unknown member is an error (a 400 on input). */
    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonBodies() {
    }

    /**
     * @throws ApiException 400 {@code PHR-API-0400} if the body is empty, not JSON, or has members the type does
     *                      not know
     */
    public static <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new ApiException("PHR-API-0400: a JSON body is required");
        }
        try {
            return MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw new ApiException("PHR-API-0400: the body is not the JSON this operation takes"
                    + (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("PHR-") ? " (" + iae.getMessage() + ")" : ""));
        }
    }

    /** 200 with the value as JSON. */
    public static Response ok(Object value) {
        return status(Response.Status.OK, value);
    }

    public static Response status(Response.Status status, Object value) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(write(value)).build();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PHR-API-0501: cannot write a response", e);
        }
    }
}
