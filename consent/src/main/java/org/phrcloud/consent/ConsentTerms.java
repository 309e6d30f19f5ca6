package org.phrcloud.consent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a request asks for and an approval grants.
 *
 * @param resourceTypes FHIR resource types of the Patient compartment in scope, sorted, at least one; or only
 *                      {@value #ALL_TYPES}, every type of the compartment (emergency access, purpose ETREAT, only)
 * @param level         {@link AccessLevel#INFORMATION}, {@link AccessLevel#SAMPLE} or {@link AccessLevel#FULL}
 * @param purpose       purpose of use, a code of HL7 v3 ActReason ({@value #PURPOSE_SYSTEM}), one of {@link #PURPOSES} or
 *                      {@value #EMERGENCY_PURPOSE}
 * @param start         first instant of the grant (UTC, whole seconds)
 * @param end           first instant after the grant (UTC, whole seconds); the grant has expired from then on
 */
public record ConsentTerms(List<String> resourceTypes, AccessLevel level, String purpose, Instant start, Instant end) {
    public static final String PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    /** Treatment, care management, healthcare research (HL7 v3 ActReason). Emergency treatment is not requested: it is declared. */
    public static final Set<String> PURPOSES = Set.of("TREAT", "CAREMGT", "HRESCH");
    /** Emergency treatment (HL7 v3 ActReason ETREAT): declared by a care giver, never requested from the patient. */
    public static final String EMERGENCY_PURPOSE = "ETREAT";
    /** The scope of an emergency access: every resource type of the Patient compartment. */
    public static final String ALL_TYPES = "*";
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
        boolean emergency = EMERGENCY_PURPOSE.equals(purpose);
        if (emergency != resourceTypes.equals(List.of(ALL_TYPES)) || resourceTypes.contains(ALL_TYPES) && resourceTypes.size() > 1) {
            throw new IllegalArgumentException("PHR-CONSENT-0106: every resource type (" + ALL_TYPES + ") is the scope of an emergency access only");
        }
        if (purpose == null || !PURPOSES.contains(purpose) && !emergency) {
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

    /** Whether this is an emergency access (purpose {@value #EMERGENCY_PURPOSE}, every resource type). */
    public boolean emergency() {
        return EMERGENCY_PURPOSE.equals(purpose);
    }

    /** Whether the grant's period holds {@code now}. */
    public boolean covers(Instant now) {
        return !now.isBefore(start) && now.isBefore(end);
    }
}
