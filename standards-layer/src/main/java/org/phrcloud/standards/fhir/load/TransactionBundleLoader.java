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
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource resource = entry.getResource();
            if (resource == null) {
                throw new IllegalArgumentException("PHR-FHIR-0101: a Bundle entry has no resource");
            }
            String fullUrl = entry.getFullUrl();
            String id = resource.getIdElement().getIdPart();
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
            String local = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
            tx.addEntry().setFullUrl(serverBase + "/" + local).setResource(resource)
                    .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(local);
        }
        return tx;
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
