package org.phrcloud.standards.fhir.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.connector.ActingParty;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.store.JdbcChainStore;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The records a patient's chain kept here names at other deployments (ARCHITECTURE.md "Federation", records kept
 * elsewhere; issue 22 step 5: records other institutions appended by URL, and, for a chain that moved here, the records
 * its former homes named by their own ids; {@link org.phrcloud.standards.fhir.ledger.LedgerVerifier#records}), fetched
 * on demand from where they are kept and checked against the chain (a record the chain records as deleted is not
 * fetched): for each such record, the latest entry of the chain; the institution whose FHIR endpoint its URL is under (an admitted one);
 * the record as that institution answers {@code GET <endpoint>api/federation/records/<type>/<id>} for the person
 * asking here; and its {@link ContentHash} and version compared with the entry's.
 */
public final class RecordsKeptElsewhere {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final org.phrcloud.standards.fhir.ledger.LedgerVerifier records;
    private final NetworkRegistry registry;
    private final FederationClient client;

    /** @param records what a chain names and where (records kept elsewhere, and those of a chain's former homes) */
    public RecordsKeptElsewhere(org.phrcloud.standards.fhir.ledger.LedgerVerifier records, NetworkRegistry registry, FederationClient client) {
        this.records = records;
        this.registry = registry;
        this.client = client;
    }

    /** What fetching and checking a record kept elsewhere found. */
    public enum Status {
        /** fetched; its content hash and version are the chain's latest entry's */
        VERIFIED,
        /** fetched, but its content or version differ from the chain's latest entry: changed where it is kept */
        TAMPERED,
        /** the institution keeping it answers that it has no such record */
        MISSING,
        /** the institution refused (e.g. it does not take this deployment as the patient's home) */
        REFUSED,
        /** the institution cannot be reached, or no admitted institution's endpoint holds the URL */
        UNREACHABLE
    }

    /**
     * One record kept elsewhere.
     *
     * @param url          its absolute URL where it is kept
     * @param institution  the CAIP-10 account id of the institution keeping it; empty if none admitted has that endpoint
     * @param resourceType its FHIR type as the chain records it
     * @param versionId    the version the chain records last
     * @param height       the height of the block with that entry
     * @param status       what the check found
     * @param resource     the record as fetched (FHIR JSON), when {@link Status#VERIFIED} or {@link Status#TAMPERED}; else null
     */
    public record Checked(String url, String institution, String resourceType, String versionId, long height, Status status,
                          JsonNode resource) {
    }

    /**
     * Fetches and checks every record kept elsewhere that the patient's chain kept here names, on behalf of
     * {@code party} (the person asking here, whom this deployment's rules already let reach the record).
     *
     * @return one per record, in chain order; empty when the chain names none
     */
    public List<Checked> check(String pseudonym, ActingParty party) {
        List<org.phrcloud.standards.fhir.ledger.LedgerVerifier.NamedRecord> elsewhere = records.records(pseudonym).values().stream()
                .filter(r -> !r.here() && r.latest().entry().operation() != org.phrcloud.ledger.chain.Operation.DELETE).toList();
        if (elsewhere.isEmpty()) {
            return List.of();
        }
        List<NetworkRegistry.Institution> institutions = registry.institutions();
        return elsewhere.stream().map(r -> check(r.reference(), r.latest(), institutions, party)).toList();
    }

    private Checked check(String url, JdbcChainStore.RecordedEntry recorded, List<NetworkRegistry.Institution> institutions, ActingParty party) {
        Entry entry = recorded.entry();
        Optional<NetworkRegistry.Institution> keeper = institutions.stream()
                .filter(i -> url.startsWith(i.fhirBase() + "/" + entry.resourceType() + "/")).findFirst();
        String institution = keeper.map(NetworkRegistry.Institution::accountId).orElse("");
        java.util.function.BiFunction<Status, JsonNode, Checked> found = (status, resource) ->
                new Checked(url, institution, entry.resourceType(), entry.versionId(), recorded.height(), status, resource);
        if (keeper.isEmpty()) {
            return found.apply(Status.UNREACHABLE, null);
        }
        java.net.http.HttpResponse<String> answer;
        try {
            answer = client.send(keeper.get(), party, "GET", "api/federation/records/" + url.substring(keeper.get().fhirBase().length() + 1),
                    null, null);
        } catch (IOException e) {
            return found.apply(Status.UNREACHABLE, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return found.apply(Status.UNREACHABLE, null);
        }
        if (answer.statusCode() != 200) {
            return found.apply(answer.statusCode() == 404 ? Status.MISSING : answer.statusCode() >= 500 ? Status.UNREACHABLE : Status.REFUSED, null);
        }
        JsonNode resource;
        try {
            resource = JSON.readTree(answer.body());
        } catch (IOException e) {
            return found.apply(Status.TAMPERED, null);
        }
        boolean same = entry.versionId().equals(resource.path("meta").path("versionId").asText())
                && entry.resourceType().equals(resource.path("resourceType").asText())
                && MessageDigest.isEqual(ContentHash.of(answer.body()), entry.contentHash());
        return found.apply(same ? Status.VERIFIED : Status.TAMPERED, resource);
    }
}
