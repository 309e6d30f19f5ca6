package org.phrcloud.standards.fhir.stats;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import org.phrcloud.consent.policy.StatsRequest;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * FHIR R4 {@code Observation/$stats} (OperationDefinition {@code Observation-stats}, FHIR R4 section 8.3.8.1):
 * statistics over one patient's Observations of the given codes in a period, which is what a consent of level
 * {@code information} opens (aggregates: counts, ranges, trends), never a single Observation.
 *
 * <p>In: {@code subject} ({@code Patient/[id]}, required), {@code code} (with an optional {@code system}) and
 * {@code coding} (none: every code found), {@code duration} (the last N hours) or {@code period}, {@code statistic}
 * (one or more codes of {@link Statistic#SYSTEM}, required; comma-separated in a GET), {@code include} and
 * {@code limit} (the source Observations, oldest first). A code matches {@code Observation.code} and
 * {@code Observation.component.code} (a panel's members).
 *
 * <p>Out: a Parameters with one {@code statistics} Observation per code and unit (status {@code final}, the code, the
 * subject, {@code effectivePeriod} the period asked or the first to the last measurement) holding one component per
 * statistic: {@code valueInteger} for {@code count} and {@code total-count}, else a {@code valueQuantity} in the
 * series' unit (variance: the unit squared; regression: the gradient in unit per day, and the intercept at the first
 * measurement in the extension {@value #INTERCEPT_EXTENSION}); a statistic not defined for the values has
 * {@code dataAbsentReason} {@code not-a-number}. Values only from {@code valueQuantity}; others count to
 * {@code total-count} only.
 *
 * <p>Errors (400, OperationOutcome): {@code PHR-FHIR-0301} an unknown statistic, {@code 0302} a subject that is not a
 * Patient of this server, {@code 0303} more than {@value #MAX_OBSERVATIONS} Observations (narrow by code or period),
 * {@code 0304} a duration that is not positive. Who may ask is decided by the authorization rules before this runs.
 */
public class ObservationStatsProvider {
    /** On a regression component: the line's value at the first measurement. */
    public static final String INTERCEPT_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/regression-intercept";
    static final String DATA_ABSENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
    static final int MAX_OBSERVATIONS = 10_000;
    private static final MathContext DIGITS = new MathContext(12);

    private final IFhirResourceDao<Observation> observations;

    public ObservationStatsProvider(IFhirResourceDao<Observation> observations) {
        this.observations = observations;
    }

    @Operation(name = "$stats", idempotent = true, type = Observation.class)
    public Parameters stats(
            @OperationParam(name = "subject", min = 1, max = 1) UriType subject,
            @OperationParam(name = "code", max = OperationParam.MAX_UNLIMITED) List<StringType> code,
            @OperationParam(name = "system", max = 1) UriType system,
            @OperationParam(name = "coding", max = OperationParam.MAX_UNLIMITED) List<Coding> coding,
            @OperationParam(name = "duration", max = 1) DecimalType duration,
            @OperationParam(name = "period", max = 1) Period period,
            @OperationParam(name = "statistic", min = 1, max = OperationParam.MAX_UNLIMITED) List<CodeType> statistic,
            @OperationParam(name = "include", max = 1) BooleanType include,
            @OperationParam(name = "limit", max = 1) PositiveIntType limit) {
        String patient = StatsRequest.patientId(subject == null ? null : subject.getValue());
        if (patient == null) {
            throw new InvalidRequestException("PHR-FHIR-0302: subject must name a Patient of this server, as Patient/[id]");
        }
        List<Statistic> statistics = new ArrayList<>();
        for (CodeType c : statistic == null ? List.<CodeType>of() : statistic) {
            for (String one : Objects.requireNonNullElse(c.getValue(), "").split(",")) {
                Statistic s = Statistic.of(one.strip()).orElseThrow(() -> new InvalidRequestException(
                        "PHR-FHIR-0301: unknown statistic '" + one.strip() + "'; the codes of " + Statistic.SYSTEM));
                if (!statistics.contains(s)) {
                    statistics.add(s);
                }
            }
        }
        if (statistics.isEmpty()) {
            throw new InvalidRequestException("PHR-FHIR-0301: at least one statistic is required");
        }
        List<Coding> wanted = new ArrayList<>();
        for (StringType c : code == null ? List.<StringType>of() : code) {
            for (String one : Objects.requireNonNullElse(c.getValue(), "").split(",")) {
                if (!one.isBlank()) {
                    wanted.add(new Coding(system == null ? null : system.getValue(), one.strip(), null));
                }
            }
        }
        if (coding != null) {
            wanted.addAll(coding);
        }
        Period window = window(duration, period);

        SearchParameterMap map = SearchParameterMap.newSynchronous();
        map.setLoadSynchronousUpTo(MAX_OBSERVATIONS + 1);
        map.add("subject", new ReferenceParam("Patient/" + patient));
        if (!wanted.isEmpty()) {
            TokenOrListParam codes = new TokenOrListParam();
            wanted.forEach(c -> codes.add(c.getSystem(), c.getCode()));
            map.add("combo-code", codes);
        }
        if (window != null) {
            map.add("date", new DateRangeParam(
                    window.getStart() == null ? null : new DateParam(ParamPrefixEnum.GREATERTHAN_OR_EQUALS, window.getStart()),
                    window.getEnd() == null ? null : new DateParam(ParamPrefixEnum.LESSTHAN_OR_EQUALS, window.getEnd())));
        }
        map.setSort(new SortSpec("date"));
        IBundleProvider found = observations.search(map, new SystemRequestDetails());
        List<IBaseResource> resources = found.getResources(0, MAX_OBSERVATIONS + 1);
        if (resources.size() > MAX_OBSERVATIONS) {
            throw new InvalidRequestException("PHR-FHIR-0303: more than " + MAX_OBSERVATIONS
                    + " Observations match; narrow the request by code or period");
        }

        Map<String, Series> series = new LinkedHashMap<>();
        for (IBaseResource r : resources) {
            Observation o = (Observation) r;
            Long at = time(o);
            measure(series, wanted, o.getCode(), o.hasValueQuantity() ? o.getValueQuantity() : null, at);
            for (Observation.ObservationComponentComponent c : o.getComponent()) {
                measure(series, wanted, c.getCode(), c.hasValueQuantity() ? c.getValueQuantity() : null, at);
            }
        }

        Parameters out = new Parameters();
        for (Series s : series.values()) {
            for (Map.Entry<String, List<Statistic.Point>> unit : s.byUnit().entrySet()) {
                out.addParameter().setName("statistics").setResource(observation(patient, s, unit.getKey(), unit.getValue(), statistics, window));
            }
        }
        if (include != null && Boolean.TRUE.equals(include.getValue())) {
            int max = limit == null || limit.getValue() == null ? resources.size() : Math.min(limit.getValue(), resources.size());
            for (IBaseResource r : resources.subList(0, max)) {
                out.addParameter().setName("source").setResource((Observation) r);
            }
        }
        return out;
    }

    private static Period window(DecimalType duration, Period period) {
        if (duration != null && duration.getValue() != null) {
            if (duration.getValue().signum() <= 0) {
                throw new InvalidRequestException("PHR-FHIR-0304: duration is a positive number of hours");
            }
            long now = System.currentTimeMillis();
            long hours = duration.getValue().multiply(BigDecimal.valueOf(3_600_000L)).longValue();
            return new Period().setStart(new Date(now - hours)).setEnd(new Date(now));
        }
        return period != null && (period.hasStart() || period.hasEnd()) ? period : null;
    }

    /** When the Observation was taken: effective[x] (its start for a period), else issued; null if neither. */
    private static Long time(Observation o) {
        if (o.hasEffectiveDateTimeType()) {
            return o.getEffectiveDateTimeType().getValue().getTime();
        }
        if (o.hasEffectivePeriod() && o.getEffectivePeriod().hasStart()) {
            return o.getEffectivePeriod().getStart().getTime();
        }
        if (o.hasEffectiveInstantType()) {
            return o.getEffectiveInstantType().getValue().getTime();
        }
        return o.hasIssued() ? o.getIssued().getTime() : null;
    }

    private static void measure(Map<String, Series> series, List<Coding> wanted, CodeableConcept code, Quantity value, Long at) {
        for (Coding c : code.getCoding()) {
            if (!c.hasCode() || !(wanted.isEmpty() || wanted.stream().anyMatch(w -> matches(w, c)))) {
                continue;
            }
            Series s = series.computeIfAbsent(c.getSystem() + "|" + c.getCode(), k -> new Series(c));
            s.total++;
            if (value != null && value.hasValue()) {
                String unit = value.hasCode() ? value.getSystem() + "|" + value.getCode() : "|" + Objects.requireNonNullElse(value.getUnit(), "");
                s.values.computeIfAbsent(unit, u -> new Series.Unit(value)).points.add(new Statistic.Point(value.getValue().doubleValue(), at));
            }
        }
    }

    private static boolean matches(Coding wanted, Coding c) {
        return wanted.getCode().equals(c.getCode()) && (!wanted.hasSystem() || wanted.getSystem().equals(c.getSystem()));
    }

    private static Observation observation(String patient, Series s, String unitKey, List<Statistic.Point> points,
            List<Statistic> statistics, Period window) {
        Quantity unit = s.values.containsKey(unitKey) ? s.values.get(unitKey).unit : null;
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.setCode(new CodeableConcept(s.coding.copy()));
        o.setSubject(new Reference("Patient/" + patient));
        if (window != null) {
            o.setEffective(window.copy());
        } else {
            List<Long> times = points.stream().map(Statistic.Point::at).filter(Objects::nonNull).sorted().toList();
            if (!times.isEmpty()) {
                o.setEffective(new Period().setStart(new Date(times.get(0))).setEnd(new Date(times.get(times.size() - 1))));
            }
        }
        Statistic.Summary summary = Statistic.Summary.of(points, s.total);
        for (Statistic statistic : statistics) {
            Observation.ObservationComponentComponent c = o.addComponent()
                    .setCode(new CodeableConcept(new Coding(Statistic.SYSTEM, statistic.code(), statistic.display())));
            double figure = statistic.of(summary);
            if (statistic == Statistic.COUNT || statistic == Statistic.TOTAL_COUNT) {
                c.setValue(new IntegerType((int) figure));
            } else if (Double.isNaN(figure) || Double.isInfinite(figure)) {
                c.setDataAbsentReason(new CodeableConcept(new Coding(DATA_ABSENT_SYSTEM, "not-a-number", "Not a Number (NaN)")));
            } else if (statistic == Statistic.REGRESSION) {
                Statistic.Line line = summary.line();
                c.setValue(quantity(line.gradientPerDay(), unit, "/d"));
                c.addExtension(INTERCEPT_EXTENSION, quantity(line.intercept(), unit, ""));
            } else if (statistic == Statistic.VARIANCE) {
                c.setValue(squared(figure, unit));
            } else if (statistic == Statistic.SKEW || statistic == Statistic.KURTOSIS) {
                c.setValue(new Quantity().setValue(new BigDecimal(figure, DIGITS)).setSystem("http://unitsofmeasure.org").setCode("1"));
            } else {
                c.setValue(quantity(figure, unit, ""));
            }
        }
        return o;
    }

    private static Quantity quantity(double value, Quantity unit, String suffix) {
        Quantity q = new Quantity().setValue(new BigDecimal(value, DIGITS));
        if (unit != null) {
            if (unit.hasCode()) {
                q.setSystem(unit.getSystem()).setCode(suffix.isEmpty() ? unit.getCode() : "(" + unit.getCode() + ")" + suffix);
            }
            if (unit.hasUnit()) {
                q.setUnit(suffix.isEmpty() ? unit.getUnit() : unit.getUnit() + suffix);
            }
        }
        return q;
    }

    private static Quantity squared(double value, Quantity unit) {
        Quantity q = new Quantity().setValue(new BigDecimal(value, DIGITS));
        if (unit != null) {
            if (unit.hasCode()) {
                q.setSystem(unit.getSystem()).setCode("(" + unit.getCode() + ")2");
            }
            if (unit.hasUnit()) {
                q.setUnit("(" + unit.getUnit() + ")²");
            }
        }
        return q;
    }

    /** The measurements of one code, by unit. */
    private static final class Series {
        final Coding coding;
        final Map<String, Unit> values = new LinkedHashMap<>();
        int total;

        Series(Coding coding) {
            this.coding = new Coding(coding.getSystem(), coding.getCode(), coding.getDisplay());
        }

        /** The points per unit; one empty series when no measurement had a usable value. */
        Map<String, List<Statistic.Point>> byUnit() {
            Map<String, List<Statistic.Point>> out = new LinkedHashMap<>();
            values.forEach((k, v) -> out.put(k, v.points));
            if (out.isEmpty()) {
                out.put("", List.of());
            }
            return out;
        }

        static final class Unit {
            final Quantity unit;
            final List<Statistic.Point> points = new ArrayList<>();

            Unit(Quantity q) {
                this.unit = new Quantity().setSystem(q.getSystem()).setCode(q.getCode()).setUnit(q.getUnit());
            }
        }
    }
}
