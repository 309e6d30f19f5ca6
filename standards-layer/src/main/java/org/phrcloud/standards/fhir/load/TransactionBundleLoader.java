package org.phrcloud.standards.fhir.load;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Sends FHIR Bundles to a FHIR server as transactions (FHIR R4 3.1.0.11), rewritten so that loading the
 * same data twice changes nothing: every entry becomes {@code PUT Type/id} with the id the resource
 * already carries (Synthea gives each resource a UUID), so a second load finds the same resources and
 * HAPI keeps their versions. As FHIR R4 Bundle section 2.36.4 asks of entries with a server id, the
 * {@code fullUrl} becomes the resource's absolute URL and references to {@code urn:uuid:} entries become
 * {@code Type/id}. Conditional references ({@code Organization?identifier=...}) are left to the server.
 *
 * <p>Directory resources (Practitioner, PractitionerRole, Organization, Location) are shared by every source that
 * writes them (other Synthea populations, HL7 v2 feeds, FHIR clients, other institutions), so they are matched by
 * their business identifier, not by the id one source gave them: an entry that carries an identifier becomes a
 * conditional update {@code PUT Type?identifier=system|value} (FHIR R4 3.1.0.10.2; the first identifier with a system
 * and a value, e.g. the NPI {@code http://hl7.org/fhir/sid/us-npi}), which updates the one resource that has it or
 * creates it; references to it inside the Bundle keep its {@code urn:uuid:} and the server resolves them. A second
 * population whose Practitioner has the NPI of one already loaded thus updates that Practitioner instead of adding a
 * second one that would make every {@code Practitioner?identifier=...} reference ambiguous (HAPI-2207).
 *
 * <p>For a Synthea output folder, the shared resources ({@code hospitalInformation*.json},
 * {@code practitionerInformation*.json}) go first, then one transaction per patient file.
 * The first failing Bundle stops the load with the server's OperationOutcome in the exception; what the
 * server committed before it stays committed (each Bundle is its own transaction).
 */
public final class TransactionBundleLoader {
    private final FhirContext fhir;
    private final String serverBase;
    private final Supplier<IGenericClient> client;

    /**
     * @param fhir       an R4 context
     * @param serverBase the FHIR base URL, e.g. {@code http://127.0.0.1:8080/fhir}
     * @param client     a client per Bundle (so an access token can be renewed between Bundles)
     */
    public TransactionBundleLoader(FhirContext fhir, String serverBase, Supplier<IGenericClient> client) {
        this.fhir = fhir;
        this.serverBase = serverBase.replaceAll("/+$", "");
        this.client = client;
    }

    /** Loads every {@code *.json} Bundle of a Synthea {@code fhir/} output folder. */
    public LoadSummary loadSyntheaFolder(Path folder) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".json")).sorted().toList());
        }
        files.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        return load(files);
    }

    /** Loads the given Bundle files in order. */
    public LoadSummary load(List<Path> files) throws IOException {
        long start = System.nanoTime();
        Map<String, Integer> byType = new HashMap<>();
        int created = 0;
        int unchanged = 0;
        for (Path file : files) {
            Bundle bundle;
            try (Reader r = Files.newBufferedReader(file)) {
                bundle = fhir.newJsonParser().parseResource(Bundle.class, r);
            }
            Bundle transaction = asIdempotentTransaction(bundle);
            transaction.getEntry().forEach(e -> byType.merge(e.getResource().fhirType(), 1, Integer::sum));
            Bundle response = client.get().transaction().withBundle(transaction).execute();
            for (Bundle.BundleEntryComponent e : response.getEntry()) {
                String status = e.getResponse().getStatus();
                if (status != null && status.startsWith("201")) {
                    created++;
                } else {
                    unchanged++;
                }
            }
        }
        return new LoadSummary(files.size(), byType.getOrDefault("Patient", 0), byType, created, unchanged,
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * @return a transaction Bundle whose entries are {@code PUT Type/id} of the same resources, with
     *         absolute {@code fullUrl}s and {@code urn:uuid:} references replaced by {@code Type/id}
     * @throws IllegalArgumentException if an entry has no resource or no id to put it at
     */
    public Bundle asIdempotentTransaction(Bundle bundle) {
        Map<String, String> localIds = new HashMap<>();
        List<Resource> resources = new ArrayList<>();
        Map<Resource, String[]> conditional = new java.util.IdentityHashMap<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource resource = entry.getResource();
            if (resource == null) {
                throw new IllegalArgumentException("PHR-FHIR-0101: a Bundle entry has no resource");
            }
            String fullUrl = entry.getFullUrl();
            String id = resource.getIdElement().getIdPart();
            String match = directoryMatch(resource);
            if (match != null) {
                resource.setIdElement(null);
                resources.add(resource);
                conditional.put(resource, new String[] {fullUrl != null && fullUrl.startsWith("urn:uuid:") ? fullUrl : null, match});
                continue;
            }
            if (fullUrl != null && fullUrl.startsWith("urn:uuid:")) {
                String uuid = fullUrl.substring("urn:uuid:".length());
                id = id == null || id.equals(fullUrl) ? uuid : id;
                localIds.put(fullUrl, resource.fhirType() + "/" + id);
            }
            if (id == null) {
                throw new IllegalArgumentException("PHR-FHIR-0102: a " + resource.fhirType() + " entry has no id");
            }
            resource.setId(resource.fhirType() + "/" + id);
            resources.add(resource);
        }
        Bundle tx = new Bundle();
        tx.setType(Bundle.BundleType.TRANSACTION);
        for (Resource resource : resources) {
            for (Reference ref : fhir.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
                String target = localIds.get(ref.getReference());
                if (target != null) {
                    ref.setReference(target);
                }
            }
            String[] byIdentifier = conditional.get(resource);
            if (byIdentifier != null) {
                tx.addEntry().setFullUrl(byIdentifier[0]).setResource(resource)
                        .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(byIdentifier[1]);
                continue;
            }
            String local = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
            tx.addEntry().setFullUrl(serverBase + "/" + local).setResource(resource)
                    .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(local);
        }
        return tx;
    }

    /** Resource types of the directory, matched by business identifier. */
    static final java.util.Set<String> DIRECTORY = java.util.Set.of("Practitioner", "PractitionerRole", "Organization", "Location");

    /**
     * The conditional update URL of a directory resource ({@code Type?identifier=system|value}, with FHIR search
     * escaping of {@code | , $ \}); null for other resources and for directory resources without an identifier.
     */
    static String directoryMatch(Resource resource) {
        if (!DIRECTORY.contains(resource.fhirType())) {
            return null;
        }
        return fhirIdentifiers(resource).stream().filter(i -> i.hasSystem() && i.hasValue()).findFirst()
                .map(i -> resource.fhirType() + "?identifier=" + java.net.URLEncoder.encode(escape(i.getSystem()) + "|" + escape(i.getValue()),
                        java.nio.charset.StandardCharsets.UTF_8))
                .orElse(null);
    }

    private static List<org.hl7.fhir.r4.model.Identifier> fhirIdentifiers(Resource resource) {
        if (resource instanceof org.hl7.fhir.r4.model.Practitioner p) {
            return p.getIdentifier();
        } else if (resource instanceof org.hl7.fhir.r4.model.PractitionerRole p) {
            return p.getIdentifier();
        } else if (resource instanceof org.hl7.fhir.r4.model.Organization o) {
            return o.getIdentifier();
        } else if (resource instanceof org.hl7.fhir.r4.model.Location l) {
            return l.getIdentifier();
        }
        return List.of();
    }

    /** FHIR R4 search escaping (3.1.1.5.7): a backslash before {@code \ | , $}. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("|", "\\|").replace(",", "\\,").replace("$", "\\$");
    }

    /** Organizations and Locations, then Practitioners, then patients. */
    private static int rank(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith("hospitalInformation")) {
            return 0;
        }
        if (name.startsWith("practitionerInformation")) {
            return 1;
        }
        return 2;
    }
}
