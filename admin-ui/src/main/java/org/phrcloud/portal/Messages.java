package org.phrcloud.portal;

import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;
import org.phrcloud.portal.api.Plain;

import java.util.List;
import java.util.Map;

/**
 * Messages for the person at the screen (shown by the template's {@code h:messages}), and the pages' reads that show
 * the API's refusal as one.
 */
public final class Messages {
    private Messages() {
    }

    public static void error(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    }

    /**
     * An error about one field, shown next to it by its {@code h:message}.
     *
     * @param clientId the field's client id, e.g. {@code dataset:purpose}
     */
    public static void error(String clientId, String text) {
        FacesContext.getCurrentInstance().addMessage(clientId, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    }

    public static void info(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, text, null));
    }

    /** GETs a JSON array of objects; on an error answer shows its message and returns an empty list. */
    public static List<Map<String, Object>> objects(PhrApi api, String path) {
        ApiAnswer a = api.get(path);
        if (!a.ok()) {
            error(a.message());
            return List.of();
        }
        return Plain.objects(a.array());
    }

    /** GETs a JSON object; on an error answer shows its message and returns an empty map. */
    public static Map<String, Object> object(PhrApi api, String path) {
        ApiAnswer a = api.get(path);
        if (!a.ok()) {
            error(a.message());
            return Map.of();
        }
        return Plain.map(a.object());
    }
}
