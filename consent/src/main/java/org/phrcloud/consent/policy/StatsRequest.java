package org.phrcloud.consent.policy;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Parameters;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an {@code Observation/$stats} request asks (aggregates of one patient's Observations, the information access
 * level): whose Observations, and whether with the source Observations too ({@code include}).
 *
 * @param patientId the Patient id (id part) named in {@code subject}
 * @param include   true when the source Observations are asked as well
 */
public record StatsRequest(String patientId, boolean include) {
    private static final Pattern SUBJECT = Pattern.compile("(?:.*/)?Patient/([A-Za-z0-9\\-.]{1,64})(?:/_history/.*)?");

    /** The Patient id a {@code subject} names; null if it names no Patient. */
    public static String patientId(String subject) {
        if (subject == null) {
            return null;
        }
        Matcher m = SUBJECT.matcher(subject.strip());
        return m.matches() ? m.group(1) : null;
    }

    /**
     * The Patient id the {@code $stats} request names in {@code subject} (URL parameter or Parameters body), and
     * whether it asks for the source Observations; for the authorization rules.
     *
     * @return null if it names none
     */
    public static StatsRequest of(RequestDetails request) {
        String[] subject = request.getParameters().get("subject");
        String[] include = request.getParameters().get("include");
        String subjectValue = subject != null && subject.length == 1 ? subject[0] : null;
        boolean includes = include != null && include.length > 0 && !"false".equals(include[0]);
        if (request.getResource() instanceof Parameters body) {
            List<Parameters.ParametersParameterComponent> subjects = body.getParameter().stream()
                    .filter(p -> "subject".equals(p.getName())).toList();
            if (subjects.size() == 1 && subjects.get(0).getValue() != null) {
                if (subjectValue != null) {
                    return null; // named twice: refuse
                }
                subjectValue = subjects.get(0).getValue().primitiveValue();
            }
            includes |= body.getParameter().stream().anyMatch(p -> "include".equals(p.getName())
                    && !(p.getValue() instanceof BooleanType b && Boolean.FALSE.equals(b.getValue())));
        }
        String id = patientId(subjectValue);
        return id == null ? null : new StatsRequest(id, includes);
    }


}
