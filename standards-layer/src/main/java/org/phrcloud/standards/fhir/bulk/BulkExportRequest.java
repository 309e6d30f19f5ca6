package org.phrcloud.standards.fhir.bulk;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Bulk Data kick-off request (HL7 FHIR Bulk Data Access IG 2.0.0, "Bulk Data Kick-off Request"), checked.
 *
 * @param level   {@code system} ({@code [base]/$export}), {@code patient} ({@code [base]/Patient/$export}) or
 *                {@code group} ({@code [base]/Group/[id]/$export})
 * @param groupId the Group's id for the group level, otherwise null
 * @param types   the resource types to export, in {@link #TYPES} order: {@code _type}, or all of {@link #TYPES}
 * @param since   {@code _since}: only resources last updated at or after it; null for all
 */
public record BulkExportRequest(String level, String groupId, List<String> types, Instant since) {
    /**
     * The resource types an export offers: the Patient and the types of its compartment the platform holds, each
     * searched per patient with the {@code patient} search parameter ({@code _id} for Patient).
     */
    public static final List<String> TYPES = List.of("Patient", "Observation", "Condition", "Encounter", "MedicationRequest",
            "MedicationDispense", "AllergyIntolerance", "Procedure", "Immunization", "DiagnosticReport", "DocumentReference", "CarePlan");
    /** The three spellings of NDJSON the IG names for {@code _outputFormat}. */
    public static final Set<String> NDJSON = Set.of("application/fhir+ndjson", "application/ndjson", "ndjson");
    private static final Set<String> KNOWN = Set.of("_type", "_since", "_outputFormat");

    /** A kick-off that cannot be accepted: 400 (or 404 for a missing Group id) with this PHR-FHIR-06nn message. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message);
        }
    }

    /**
     * @param level      system, patient or group
     * @param groupId    the Group id of a group-level request
     * @param parameters the query parameters (one value each; repeated {@code _type} values joined with commas)
     * @param prefer     the {@code Prefer} header (must ask for {@code respond-async}; {@code handling=lenient} ignores
     *                   parameters this server does not support, otherwise they are refused)
     * @throws Invalid PHR-FHIR-0601 without respond-async, 0602 for another {@code _outputFormat}, 0603 for a type not in
     *                 {@link #TYPES}, 0604 for a {@code _since} that is not an instant, 0608 for an unsupported parameter
     */
    public static BulkExportRequest parse(String level, String groupId, Map<String, String> parameters, String prefer) {
        if (prefer == null || !prefer.toLowerCase().contains("respond-async")) {
            throw new Invalid("PHR-FHIR-0601: a bulk export needs the header Prefer: respond-async");
        }
        boolean lenient = prefer.toLowerCase().contains("handling=lenient");
        for (String name : parameters.keySet()) {
            if (!KNOWN.contains(name) && !lenient) {
                throw new Invalid("PHR-FHIR-0608: " + name + " is not supported here (the export takes _type, _since, _outputFormat)");
            }
        }
        String format = parameters.get("_outputFormat");
        if (format != null && !NDJSON.contains(format)) {
            throw new Invalid("PHR-FHIR-0602: _outputFormat is application/fhir+ndjson, application/ndjson or ndjson");
        }
        List<String> types = new ArrayList<>();
        String type = parameters.get("_type");
        if (type == null || type.isBlank()) {
            types.addAll(TYPES);
        } else {
            for (String t : type.split(",")) {
                String name = t.trim();
                if (!TYPES.contains(name)) {
                    throw new Invalid("PHR-FHIR-0603: _type " + name + " is not exported here; the types are " + String.join(",", TYPES));
                }
                if (!types.contains(name)) {
                    types.add(name);
                }
            }
            types.sort(java.util.Comparator.comparingInt(TYPES::indexOf));
        }
        Instant since = null;
        String sinceText = parameters.get("_since");
        if (sinceText != null) {
            try {
                since = OffsetDateTime.parse(sinceText).toInstant();
            } catch (DateTimeParseException e) {
                throw new Invalid("PHR-FHIR-0604: _since is a FHIR instant, e.g. 2026-01-01T00:00:00Z");
            }
        }
        return new BulkExportRequest(level, groupId, List.copyOf(types), since);
    }
}
