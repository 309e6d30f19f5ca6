package org.phrcloud.standards.fhir.terminology;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.ValueSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads the operator's local terminology into the FHIR server: the slot for licensed content such as KOSTOM or KCD
 * codes and their maps to SNOMED CT, LOINC or ICD-10, which cannot ship with the product. Every file of the directory
 * ({@code PHR_TERMINOLOGY_DIR}), in name order:
 * <ul>
 *   <li>{@code *.json}: a FHIR R4 CodeSystem, ConceptMap or ValueSet, or a Bundle of them (each needs a {@code url});</li>
 *   <li>{@code *.csv}: one ConceptMap, UTF-8, comma-separated, with this header line:
 *       {@code source_system,source_code,source_display,target_system,target_code,target_display,equivalence}
 *       ({@code equivalence}: a FHIR R4 ConceptMapEquivalence code, e.g. {@code equivalent}, {@code wider},
 *       {@code narrower}; empty means {@code equivalent}). Its url is {@code urn:phr:conceptmap:<file name without .csv>}.</li>
 * </ul>
 * Each resource is created or replaced by its url (conditional update), so loading again after a change replaces the
 * old content and loading twice changes nothing. Afterwards {@code ConceptMap/$translate} answers from it, and the HL7 v2
 * ingestion adds the mapped codes to the local codes of each message.
 *
 * <p>Errors: {@code PHR-TERM-0001} a file that is not one of these (with the file and the line), nothing of that file is
 * loaded; the files before it stay loaded.
 */
public class TerminologyLoader {
    /** The CSV header of a ConceptMap file. */
    public static final String CSV_HEADER = "source_system,source_code,source_display,target_system,target_code,target_display,equivalence";
    private static final Logger LOG = LoggerFactory.getLogger(TerminologyLoader.class);

    private final DaoRegistry daos;
    private final FhirContext fhir;

    public TerminologyLoader(DaoRegistry daos, FhirContext fhir) {
        this.daos = daos;
        this.fhir = fhir;
    }

    /** How many resources of each type a load created or replaced. */
    public record Loaded(int codeSystems, int conceptMaps, int valueSets) {
    }

    /**
     * Loads every {@code .json} and {@code .csv} file of the directory.
     *
     * @throws IllegalStateException PHR-TERM-0001 for a file that cannot be read as documented above
     */
    public Loaded load(Path directory) {
        List<Path> files;
        try (Stream<Path> listed = Files.list(directory)) {
            files = listed.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".csv")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("PHR-TERM-0001: cannot list the terminology directory " + directory, e);
        }
        int codeSystems = 0;
        int conceptMaps = 0;
        int valueSets = 0;
        for (Path file : files) {
            for (MetadataResource r : read(file)) {
                store(r);
                if (r instanceof CodeSystem) {
                    codeSystems++;
                } else if (r instanceof ConceptMap) {
                    conceptMaps++;
                } else {
                    valueSets++;
                }
            }
        }
        LOG.info("PHR-TERM-0002: terminology loaded from {}: {} CodeSystems, {} ConceptMaps, {} ValueSets", directory, codeSystems,
                conceptMaps, valueSets);
        return new Loaded(codeSystems, conceptMaps, valueSets);
    }

    private List<MetadataResource> read(Path file) {
        try {
            return file.toString().endsWith(".csv") ? List.of(conceptMap(file)) : json(file);
        } catch (IOException | DataFormatException | IllegalArgumentException e) {
            throw new IllegalStateException("PHR-TERM-0001: " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private List<MetadataResource> json(Path file) throws IOException {
        IBaseResource parsed = fhir.newJsonParser().parseResource(Files.readString(file, StandardCharsets.UTF_8));
        List<IBaseResource> resources = new ArrayList<>();
        if (parsed instanceof Bundle bundle) {
            bundle.getEntry().forEach(e -> resources.add(e.getResource()));
        } else {
            resources.add(parsed);
        }
        List<MetadataResource> out = new ArrayList<>();
        for (IBaseResource r : resources) {
            if (!(r instanceof CodeSystem || r instanceof ConceptMap || r instanceof ValueSet)) {
                throw new IllegalArgumentException("a " + fhir.getResourceType(r) + " is not a CodeSystem, ConceptMap or ValueSet");
            }
            MetadataResource m = (MetadataResource) r;
            if (!m.hasUrl()) {
                throw new IllegalArgumentException("the " + fhir.getResourceType(r) + " has no url");
            }
            out.add(m);
        }
        return out;
    }

    private ConceptMap conceptMap(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        ConceptMap map = new ConceptMap();
        map.setUrl("urn:phr:conceptmap:" + name).setName(name.replaceAll("[^A-Za-z0-9_]", "_"))
                .setStatus(Enumerations.PublicationStatus.ACTIVE);
        Map<String, ConceptMap.ConceptMapGroupComponent> groups = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).build().parse(reader)) {
            if (!String.join(",", csv.getHeaderNames()).equals(CSV_HEADER)) {
                throw new IllegalArgumentException("line 1: the header must be " + CSV_HEADER);
            }
            for (CSVRecord row : csv) {
                String source = row.get("source_system");
                String target = row.get("target_system");
                if (source.isEmpty() || row.get("source_code").isEmpty() || target.isEmpty() || row.get("target_code").isEmpty()) {
                    throw new IllegalArgumentException("line " + (row.getRecordNumber() + 1) + ": source and target system and code are required");
                }
                String equivalence = row.get("equivalence").isEmpty() ? "equivalent" : row.get("equivalence");
                ConceptMap.ConceptMapGroupComponent group = groups.computeIfAbsent(source + "|" + target,
                        k -> map.addGroup().setSource(source).setTarget(target));
                ConceptMap.SourceElementComponent element = group.getElement().stream()
                        .filter(e -> e.getCode().equals(row.get("source_code"))).findFirst()
                        .orElseGet(() -> group.addElement().setCode(row.get("source_code")).setDisplay(blank(row.get("source_display"))));
                try {
                    element.addTarget().setCode(row.get("target_code")).setDisplay(blank(row.get("target_display")))
                            .setEquivalence(Enumerations.ConceptMapEquivalence.fromCode(equivalence));
                } catch (org.hl7.fhir.exceptions.FHIRException e) {
                    throw new IllegalArgumentException("line " + (row.getRecordNumber() + 1) + ": unknown equivalence " + equivalence);
                }
            }
        }
        if (map.getGroup().isEmpty()) {
            throw new IllegalArgumentException("no mapping rows");
        }
        return map;
    }

    private static String blank(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @SuppressWarnings("unchecked")
    private void store(MetadataResource resource) {
        IFhirResourceDao<MetadataResource> dao = (IFhirResourceDao<MetadataResource>) daos.getResourceDao(resource.fhirType());
        resource.setId((String) null);
        dao.update(resource, resource.fhirType() + "?url=" + resource.getUrl(), new SystemRequestDetails());
    }
}
