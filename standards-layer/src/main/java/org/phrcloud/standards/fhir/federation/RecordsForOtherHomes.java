package org.phrcloud.standards.fhir.federation;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Reference;
import org.phrcloud.connector.ActingParty;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;

/**
 * Records this deployment keeps for patients whose chain lives at another deployment (ARCHITECTURE.md "Federation",
 * records kept elsewhere; issue 22 step 5): a care giver here records, say, a glucose Observation for a patient
 * located at their home. The record stays here, its subject the patient's pseudonym as a logical reference
 * ({@code subject.identifier} {@value FederationClient#PSEUDONYM_SYSTEM}), so no chain starts here; the home's chain
 * gets a block with its entry (the record's absolute URL here, version, content hash), made and signed by this
 * institution ({@link FederationClient#appendRecords}). The record is stored in the same database transaction
 * that waits for the home's acceptance: a refusal (no consent, no chain there, the home unreachable) rolls it back,
 * so no record is kept here that the patient's chain does not name.
 */
public final class RecordsForOtherHomes {
    private final FhirContext fhir;
    private final DaoRegistry daos;
    private final TransactionTemplate transactions;
    private final FhirInstanceValidator validator;
    private final NetworkRegistry registry;
    private final FederationClient client;
    private final String ownAccountId;
    private final org.phrcloud.ledger.store.JdbcChainStore chains;

    public RecordsForOtherHomes(FhirContext fhir, DaoRegistry daos, PlatformTransactionManager transactionManager,
                                IValidationSupport validationSupport, NetworkRegistry registry, FederationClient client, String ownAccountId,
                                org.phrcloud.ledger.store.JdbcChainStore chains) {
        this.chains = chains;
        this.fhir = fhir;
        this.daos = daos;
        this.transactions = new TransactionTemplate(transactionManager);
        this.validator = new FhirInstanceValidator(validationSupport);
        this.registry = registry;
        this.client = client;
        this.ownAccountId = ownAccountId;
    }

    /**
     * A record kept here and named in the home's chain.
     *
     * @param url      its absolute URL here ({@code <endpoint>fhir/<type>/<id>})
     * @param resource the stored resource, FHIR JSON
     * @param home     the institution whose chain of the patient names it (the registry's home when it was stored)
     * @param block    the block the home appended to the patient's chain
     */
    public record Kept(String url, String resource, NetworkRegistry.Institution home, Block block) {
    }

    /**
     * Stores a record for a patient of another deployment and has its home append it to the patient's chain.
     *
     * @param caller    a care giver here (acr 2, checked by the API)
     * @param pseudonym the patient's pseudonym, 64 hex digits
     * @param json      one FHIR resource (JSON) of a type with a {@code subject}; its subject and id are set here
     * @throws FederationClient.Refused with a body that is this deployment's {@code PHR-...} message: 400
     *                 {@code PHR-FEDERATION-0420} (not such a resource, or invalid: the validator's first error),
     *                 404 {@code 0413} (no chain anchored for the pseudonym), 409 {@code 0417} (this deployment is the
     *                 home: write to {@code /fhir}); or with the home's answer as it came (a JSON problem: 403 without consent, ...)
     * @throws NetworkRegistry.RegistryUnavailableException when the chain cannot be read
     */
    public Kept keep(Caller caller, ActingParty party, String pseudonym, String json) throws FederationClient.Refused {
        IBaseResource resource;
        try {
            resource = fhir.newJsonParser().parseResource(json);
        } catch (RuntimeException e) {
            throw new FederationClient.Refused(400, "PHR-FEDERATION-0420: the body is not a FHIR resource in JSON");
        }
        BaseRuntimeChildDefinition subject = fhir.getResourceDefinition(resource).getChildByName("subject");
        try {
            subject.getMutator().setValue(resource, new Reference().setIdentifier(
                    new org.hl7.fhir.r4.model.Identifier().setSystem(FederationClient.PSEUDONYM_SYSTEM).setValue(pseudonym)));
        } catch (RuntimeException e) {
            throw new FederationClient.Refused(400, "PHR-FEDERATION-0420: a " + fhir.getResourceType(resource) + " has no subject reference");
        }
        resource.setId((String) null);
        ValidationResult validation = fhir.newValidator().registerValidatorModule(validator).validateWithResult(resource);
        for (var message : validation.getMessages()) {
            if (message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()) {
                throw new FederationClient.Refused(400, "PHR-FEDERATION-0420: " + message.getLocationString() + ": " + message.getMessage());
            }
        }
        NetworkRegistry.Institution home = registry.home(pseudonym).map(NetworkRegistry.Home::institution)
                .filter(i -> !i.endpoint().isEmpty())
                .orElseThrow(() -> new FederationClient.Refused(404, "PHR-FEDERATION-0413: no institution holds a chain of this pseudonym"));
        if (home.accountId().equals(ownAccountId)) {
            throw new FederationClient.Refused(409, "PHR-FEDERATION-0417: this deployment is the home of this patient's chain: write to /fhir");
        }
        String fhirBase = registry.institution(ownAccountId, true).map(NetworkRegistry.Institution::fhirBase)
                .orElseThrow(() -> new FederationClient.Refused(409, "PHR-FEDERATION-0417: this deployment is not admitted on chain"));
        try {
            return transactions.execute(status -> {
                DaoMethodOutcome created = daos.getResourceDao(resource).create(resource, CallerContext.systemRequestAs(caller, party.purposeOfUse()));
                IBaseResource stored = created.getResource();
                String type = fhir.getResourceType(stored);
                String url = fhirBase + "/" + type + "/" + stored.getIdElement().getIdPart();
                String text = fhir.newJsonParser().encodeResourceToString(stored);
                Entry entry = new Entry(type, url, stored.getIdElement().getVersionIdPart(), Operation.CREATE, ContentHash.of(text));
                try {
                    return new Kept(url, text, home, client.appendRecords(home, party, pseudonym, List.of(entry)));
                } catch (FederationClient.Refused e) {
                    throw new HomeRefused(e);
                }
            });
        } catch (HomeRefused e) {
            throw e.refusal;
        }
    }

    /**
     * A record kept here for a patient of another deployment, read by that patient's home (which decides by its own
     * consents who at the home sees it, and checks it against the hash in the patient's chain). Such a record is one
     * whose subject is a pseudonym (kept here for another home), or one recorded in a chain that moved from here to
     * another home (ARCHITECTURE.md "Federation", moving a patient's home: the former home keeps what it stored).
     *
     * @param caller the home's person (a federated caller: its client is the home's account id)
     * @return the stored resource's current version, FHIR JSON
     * @throws FederationClient.Refused 404 {@code PHR-FEDERATION-0422} (no such record kept for another deployment's
     *                                  patient), 403 {@code 0421} (the caller's institution is not the home of the
     *                                  pseudonym the record names)
     */
    public String read(Caller caller, String type, String id) throws FederationClient.Refused {
        IBaseResource stored;
        try {
            stored = daos.getResourceDao(type).read(new org.hl7.fhir.r4.model.IdType(type, id), CallerContext.systemRequestAs(caller));
        } catch (RuntimeException e) {
            throw new FederationClient.Refused(404, "PHR-FEDERATION-0422: no record kept here for another deployment's patient by this type and id");
        }
        List<org.hl7.fhir.instance.model.api.IBase> subjects = fhir.getResourceDefinition(stored).getChildByName("subject") == null
                ? List.of() : fhir.newTerser().getValues(stored, "subject.identifier");
        String pseudonym = subjects.stream()
                .filter(i -> i instanceof org.hl7.fhir.r4.model.Identifier identifier && FederationClient.PSEUDONYM_SYSTEM.equals(identifier.getSystem()))
                .map(i -> ((org.hl7.fhir.r4.model.Identifier) i).getValue()).findFirst()
                .or(() -> chains.latestEntry(type, id).map(org.phrcloud.ledger.store.JdbcChainStore.RecordedEntry::pseudonym)
                        .filter(p -> chains.movedTo(p).isPresent()))
                .orElseThrow(() -> new FederationClient.Refused(404, "PHR-FEDERATION-0422: no record kept here for another deployment's "
                        + "patient by this type and id"));
        boolean home = registry.home(pseudonym).map(h -> h.institution().accountId().equals(caller.clientId())).orElse(false);
        if (!home) {
            throw new FederationClient.Refused(403, "PHR-FEDERATION-0421: only the home of the patient's chain reads a record kept here for the patient");
        }
        return fhir.newJsonParser().encodeResourceToString(stored);
    }

    /** Carries the home's refusal out of the transaction, rolling it back. */
    private static final class HomeRefused extends RuntimeException {
        final FederationClient.Refused refusal;

        HomeRefused(FederationClient.Refused refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.refusal = refusal;
        }
    }
}
