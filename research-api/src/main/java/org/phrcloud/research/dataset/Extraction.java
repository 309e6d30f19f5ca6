package org.phrcloud.research.dataset;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.research.anonymization.Table;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentRecord;

import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;

/**
 * Reads the records of a research pool from the FHIR store, server-side, into one row per patient (person, i.e.
 * pseudonym) with the requested attributes, before anything is anonymized. A patient is left out, and counted, when
 * their consent does not cover what the request reads (the resource types of the attributes and of the cohort
 * searches, at level sample or full: one latest resource per attribute), when they do not match every cohort search,
 * or when a requested value is missing or cannot be generalized.
 */
public final class Extraction {
    /** The most resources of one type read for one patient. */
    static final int MAX_PER_PATIENT = 10_000;

    /**
     * What was extracted.
     *
     * @param table       one row per included patient, one column per attribute (named as the attribute)
     * @param patients    per row, the FHIR Patient ids of that person (all their records)
     * @param counts      pool, outsideConsentScope, notInCohort, missingValues, included
     * @param codeSystems per condition code seen, its system (for the FHIR export)
     * @param units       per observation attribute, the unit of its values (UCUM code where given)
     */
    public record Result(Table table, List<Set<String>> patients, Map<String, Integer> counts, Map<String, String> codeSystems,
                         Map<String, String> units) {
    }

    private final FhirContext fhir;
    private final DaoRegistry daos;
    private final MatchUrlService matchUrls;
    private final MasterPatientIndex mpi;

    public Extraction(FhirContext fhir, DaoRegistry daos, MatchUrlService matchUrls, MasterPatientIndex mpi) {
        this.fhir = fhir;
        this.daos = daos;
        this.matchUrls = matchUrls;
        this.mpi = mpi;
    }

    /** The FHIR resource types a request reads: Patient, those of its attributes and of its cohort searches. */
    public static Set<String> typesRead(DataSetRequest request) {
        Set<String> types = new TreeSet<>(Set.of("Patient"));
        for (DataSetRequest.Attribute a : request.attributes()) {
            if ("condition".equals(a.source())) {
                types.add("Condition");
            } else if (a.source().startsWith("observation:")) {
                types.add("Observation");
            }
        }
        for (String search : request.cohortOrEmpty()) {
            types.add(DataSetRequest.cohortType(search));
        }
        return types;
    }

    /**
     * @param pool     the consents in force of the study (one per patient)
     * @param today    the date ages are computed at
     * @param progress receives 0..100 as patients are read
     * @throws ResearchException INVALID for a cohort search that is no valid FHIR search on a type of the Patient compartment
     */
    public Result extract(DataSetRequest request, List<ConsentRecord> pool, LocalDate today, IntConsumer progress) {
        Set<String> types = typesRead(request);
        for (String type : types) {
            if (!fhir.getResourceTypes().contains(type) || !"Patient".equals(type)
                    && fhir.getResourceDefinition(type).getSearchParamsForCompartmentName("Patient").isEmpty()) {
                throw DataSetRequest.invalid("PHR-RESEARCH-1021: " + type + " is not a resource type of the Patient compartment");
            }
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("pool", pool.size());
        List<ConsentRecord> inScope = new ArrayList<>();
        for (ConsentRecord r : pool) {
            if (r.terms().resourceTypes().containsAll(types) && r.terms().level().compareTo(AccessLevel.SAMPLE) >= 0) {
                inScope.add(r);
            }
        }
        counts.put("outsideConsentScope", pool.size() - inScope.size());
        Map<String, Set<String>> patientsOf = new LinkedHashMap<>();
        Map<String, String> primary = new HashMap<>();
        for (ConsentRecord r : inScope) {
            Set<String> ids = new LinkedHashSet<>();
            ids.add(r.patientId());
            ids.addAll(mpi.patientIdsOf(r.pseudonym()));
            patientsOf.put(r.pseudonym(), ids);
            primary.put(r.pseudonym(), r.patientId());
        }
        Set<String> cohort = new LinkedHashSet<>(patientsOf.keySet());
        for (String search : request.cohortOrEmpty()) {
            cohort.retainAll(matching(search, patientsOf));
        }
        counts.put("notInCohort", patientsOf.size() - cohort.size());

        List<String> columns = request.attributes().stream().map(DataSetRequest.Attribute::name).toList();
        List<List<String>> rows = new ArrayList<>();
        List<Set<String>> patients = new ArrayList<>();
        Map<String, String> codeSystems = new HashMap<>();
        Map<String, String> units = new HashMap<>();
        int missing = 0;
        int done = 0;
        for (String pseudonym : cohort) {
            progress.accept(cohort.isEmpty() ? 100 : 100 * done++ / cohort.size());
            Set<String> ids = patientsOf.get(pseudonym);
            Patient patient = (Patient) daos.getResourceDao(Patient.class).read(new org.hl7.fhir.r4.model.IdType("Patient", primary.get(pseudonym)),
                    new SystemRequestDetails());
            List<String> row = new ArrayList<>();
            for (DataSetRequest.Attribute a : request.attributes()) {
                String value = value(a, pseudonym, patient, ids, today, codeSystems, units);
                if (value == null || value.isBlank()) {
                    break;
                }
                row.add(value);
            }
            if (row.size() < columns.size()) {
                missing++;
                continue;
            }
            rows.add(row);
            patients.add(ids);
        }
        progress.accept(100);
        counts.put("missingValues", missing);
        counts.put("included", rows.size());
        return new Result(new Table(columns, rows), patients, counts, codeSystems, units);
    }

    private String value(DataSetRequest.Attribute a, String pseudonym, Patient patient, Set<String> ids, LocalDate today,
                         Map<String, String> codeSystems, Map<String, String> units) {
        switch (a.source()) {
            case "pseudonym":
                return pseudonym;
            case "age":
                return patient.hasBirthDate() ? Integer.toString(Period.between(localDate(patient.getBirthDateElement()), today).getYears()) : null;
            case "birthDate":
                return patient.hasBirthDateElement() && patient.getBirthDateElement().getPrecision() == ca.uhn.fhir.model.api.TemporalPrecisionEnum.DAY
                        ? patient.getBirthDateElement().getValueAsString() : null;
            case "sex":
                return patient.hasGender() ? patient.getGender().toCode() : null;
            case "postalCode":
                return patient.hasAddress() && patient.getAddressFirstRep().hasPostalCode() ? patient.getAddressFirstRep().getPostalCode().strip() : null;
            case "condition":
                return latestCondition(ids).map(c -> {
                    Coding coding = c.getCode().getCodingFirstRep();
                    codeSystems.putIfAbsent(coding.getCode(), coding.getSystem());
                    return coding.getCode();
                }).orElse(null);
            default:
                String[] code = a.observationCode();
                return latestObservation(ids, code[0], code[1]).map(o -> {
                    if (o.getValueQuantity().hasUnit() || o.getValueQuantity().hasCode()) {
                        units.putIfAbsent(a.name(), o.getValueQuantity().hasCode() ? o.getValueQuantity().getCode() : o.getValueQuantity().getUnit());
                    }
                    return o.getValueQuantity().getValue().stripTrailingZeros().toPlainString();
                }).orElse(null);
        }
    }

    private Optional<Condition> latestCondition(Set<String> ids) {
        return this.<Condition>search("Condition?patient=" + references(ids)).stream()
                .filter(c -> c.getCode().getCodingFirstRep().hasCode())
                .max(Comparator.comparing((Condition c) -> instant(c.hasRecordedDate() ? c.getRecordedDate()
                        : c.hasOnsetDateTimeType() ? c.getOnsetDateTimeType().getValue() : c.getMeta().getLastUpdated()))
                        .thenComparing(c -> c.getIdElement().getIdPart()));
    }

    private Optional<Observation> latestObservation(Set<String> ids, String system, String code) {
        return this.<Observation>search("Observation?patient=" + references(ids) + "&code=" + system + "|" + code).stream()
                .filter(o -> o.hasValueQuantity() && o.getValueQuantity().hasValue())
                .max(Comparator.comparing((Observation o) -> instant(o.hasEffectiveDateTimeType() ? o.getEffectiveDateTimeType().getValue()
                        : o.hasIssued() ? o.getIssued() : o.getMeta().getLastUpdated()))
                        .thenComparing(o -> o.getIdElement().getIdPart()));
    }

    /** The people (pseudonyms) of the pool whose records a cohort search finds. */
    private Set<String> matching(String search, Map<String, Set<String>> patientsOf) {
        Set<String> all = new HashSet<>();
        patientsOf.values().forEach(all::addAll);
        if (all.isEmpty()) {
            return Set.of();
        }
        String url = DataSetRequest.cohortUrl(search);
        String type = DataSetRequest.cohortType(search);
        // restricted to the pool's records: the search never reads anyone else's
        String restricted = url + ("Patient".equals(type) ? "&_id=" + String.join(",", all) : "&patient=" + references(all));
        Set<String> found = new HashSet<>();
        for (IBaseResource r : this.<IBaseResource>search(restricted)) {
            if ("Patient".equals(type)) {
                found.add(r.getIdElement().getIdPart());
            } else {
                for (IIdType owner : fhir.newTerser().getCompartmentOwnersForResource("Patient", r, Set.of())) {
                    found.add(owner.getIdPart());
                }
            }
        }
        Set<String> people = new HashSet<>();
        patientsOf.forEach((pseudonym, ids) -> {
            if (ids.stream().anyMatch(found::contains)) {
                people.add(pseudonym);
            }
        });
        return people;
    }

    @SuppressWarnings("unchecked")
    private <T extends IBaseResource> List<T> search(String url) {
        String type = url.substring(0, url.indexOf('?'));
        IBundleProvider found;
        try {
            SearchParameterMap map = matchUrls.translateMatchUrl(url, fhir.getResourceDefinition(type));
            map.setLoadSynchronous(true);
            map.setLoadSynchronousUpTo(MAX_PER_PATIENT * 10);
            found = daos.getResourceDao(type).search(map, new SystemRequestDetails());
        } catch (BaseServerResponseException | DataFormatException | IllegalArgumentException e) {
            throw DataSetRequest.invalid("PHR-RESEARCH-1022: a cohort search is a FHIR search on a type of the Patient compartment: "
                    + e.getMessage());
        }
        Integer size = found.size();
        return (List<T>) found.getResources(0, size == null ? MAX_PER_PATIENT * 10 : size);
    }

    private static String references(Set<String> ids) {
        return String.join(",", ids.stream().map(id -> "Patient/" + id).toList());
    }

    private static java.time.Instant instant(Date d) {
        return d == null ? java.time.Instant.EPOCH : d.toInstant();
    }

    /** A FHIR date as a calendar date; a year or year-month counts from its first day. */
    private static LocalDate localDate(org.hl7.fhir.r4.model.DateType d) {
        return LocalDate.of(d.getYear(), d.getPrecision().ordinal() >= ca.uhn.fhir.model.api.TemporalPrecisionEnum.MONTH.ordinal()
                ? d.getMonth() + 1 : 1, d.getPrecision().ordinal() >= ca.uhn.fhir.model.api.TemporalPrecisionEnum.DAY.ordinal() ? d.getDay() : 1);
    }
}
