package org.phrcloud.portal.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The network's institutions by name, for the pages: audit events, tokens and chain blocks name an institution by id
 * ({@code st-mary}); people read its name ("St Mary's Hospital"). Read once per request from
 * {@code GET /api/identity/institutions} as the user; an id stays as it is when the list cannot be read or does not
 * hold it. Named {@code institutions} for the pages.
 */
@Named("institutions")
@RequestScoped
public class Institutions {
    @Inject
    PhrApi api;

    private Map<String, String> names;

    /** @return the institution's display name, or the id itself when it is not known; empty for null */
    public String name(Object id) {
        if (id == null) {
            return "";
        }
        return names().getOrDefault(id.toString(), id.toString());
    }

    /** @return the names of several institutions, joined by ", " */
    public String names(List<?> ids) {
        return String.join(", ", ids.stream().map(this::name).toList());
    }

    private Map<String, String> names() {
        if (names == null) {
            names = new HashMap<>();
            ApiAnswer a = api.get("/api/identity/institutions");
            if (a.ok()) {
                for (JsonValue v : a.array()) {
                    JsonObject i = v.asJsonObject();
                    names.put(i.getString("id"), i.getString("name", i.getString("id")));
                }
            }
        }
        return names;
    }
}
