package org.phrcloud.standards.consent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a request asks for and an approval grants.
 *
 * @param resourceTypes FHIR resource types of the Patient compartment in scope, sorted, at least one
 * @param level         {@link AccessLevel#INFORMATION}, {@link AccessLevel#SAMPLE} or {@link AccessLevel#FULL}
 * @param purpose       purpose of use, a code of HL7 v3 ActReason ({@value #PURPOSE_SYSTEM}), one of {@link #PURPOSES}
 * @param start         first instant of the grant (UTC, whole seconds)
 * @param end           first instant after the grant (UTC, whole seconds); the grant has expired from then on
 */
public record ConsentTerms(List<String> resourceTypes, AccessLevel level, String purpose, Instant start, Instant end) {
    public static final String PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    /** Treatment, care management, healthcare research (HL7 v3 ActReason). Emergency treatment is not requested: it is declared. */
    public static final Set<String> PURPOSES = Set.of("TREAT", "CAREMGT", "HRESCH");
    /** The longest grant: about ten years. */
    public static final long MAX_DAYS = 3660;

    /** @throws IllegalArgumentException with a {@code PHR-CONSENT-01nn} message if the terms are not well formed */
    public ConsentTerms {
        if (resourceTypes == null || resourceTypes.isEmpty()) {
            throw new IllegalArgumentException("PHR-CONSENT-0102: name at least one resource type in scope");
        }
        resourceTypes = List.copyOf(new TreeSet<>(resourceTypes));
        if (level == null || level == AccessLevel.NONE) {
            throw new IllegalArgumentException("PHR-CONSENT-0103: the access level is information, sample or full");
        }
        if (purpose == null || !PURPOSES.contains(purpose)) {
            throw new IllegalArgumentException("PHR-CONSENT-0104: the purpose of use is one of " + new TreeSet<>(PURPOSES));
        }
        if (start == null || end == null) {
            throw new IllegalArgumentException("PHR-CONSENT-0105: a grant has a start and an end");
        }
        start = start.truncatedTo(ChronoUnit.SECONDS);
        end = end.truncatedTo(ChronoUnit.SECONDS);
        if (!end.isAfter(start) || end.isAfter(start.plus(MAX_DAYS, ChronoUnit.DAYS))) {
            throw new IllegalArgumentException("PHR-CONSENT-0105: the end comes after the start, at most " + MAX_DAYS + " days later");
        }
    }

    /** Whether the grant's period holds {@code now}. */
    public boolean covers(Instant now) {
        return !now.isBefore(start) && now.isBefore(end);
    }
}
