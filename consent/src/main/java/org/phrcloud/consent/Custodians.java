package org.phrcloud.consent;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.util.List;

/**
 * Custodians (docs/ARCHITECTURE.md "Consent"): a family doctor who registered a P-256 key and whom an admin linked to a
 * patient decides about that patient's consents, signing the same decision document as the patient would; the
 * Consent then names the custodian as performer and signer, on behalf of the patient. A custodian never decides
 * about a consent they asked for or that names them.
 */
public class Custodians {
    private final ConsentStore store;
    private final ConsentIndex index;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final TransactionTemplate transactions;

    Custodians(ConsentStore store) {
        this.store = store;
        this.index = store.index();
        this.mpi = store.mpi();
        this.clock = store.clock();
        this.transactions = store.transactions();
    }

    /**
     * A family doctor registers (or replaces) the P-256 public key they sign custodian decisions with.
     *
     * @param spki DER SubjectPublicKeyInfo of a P-256 key
     * @throws ConsentException 400 for a caller without the family-doctor role or a key that is not P-256
     */
    public ConsentIndex.CustodianKey registerCustodianKey(Caller caller, byte[] spki) {
        if (!caller.hasRole(PhrRole.FAMILY_DOCTOR)) {
            throw new ConsentException("PHR-CONSENT-0307: custodians are family doctors");
        }
        try {
            java.security.PublicKey key = org.phrcloud.identity.keys.EcdsaP256.publicKey(spki);
            if (!(key instanceof java.security.interfaces.ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new java.security.spec.InvalidKeySpecException("not P-256");
            }
        } catch (java.security.spec.InvalidKeySpecException | RuntimeException e) {
            throw new ConsentException("PHR-CONSENT-0308: the key is the Base64 of a DER SubjectPublicKeyInfo of an ECDSA P-256 key");
        }
        ConsentIndex.CustodianKey registered = new ConsentIndex.CustodianKey(caller.subject(), caller.username(), spki, clock.instant());
        transactions.executeWithoutResult(status -> store.jdbc(c -> {
            index.putCustodianKey(c, registered);
            return null;
        }));
        return registered;
    }

    /**
     * Makes a family doctor (by username; they must have registered a custodian key) custodian of a patient, or ends it.
     *
     * @param link true to link, false to unlink
     * @throws ConsentException 404 for an unknown pseudonym or a username without a custodian key
     */
    public void custodian(Caller admin, String pseudonym, String username, boolean link) {
        if (mpi.findByPseudonym(pseudonym).isEmpty()) {
            throw new ConsentException("PHR-CONSENT-0201: no patient with this pseudonym");
        }
        ConsentIndex.CustodianKey custodian = index.custodianKey("username", username).orElseThrow(() -> new ConsentException("PHR-CONSENT-0306: no family doctor with a registered custodian key has this username"));
        transactions.executeWithoutResult(status -> store.jdbc(c -> {
            if (link) {
                index.linkCustodian(c, pseudonym, custodian.userId(), admin.subject(), clock.instant());
            } else {
                index.unlinkCustodian(c, pseudonym, custodian.userId());
            }
            return null;
        }));
    }

    /** Every consent about the patients the caller is custodian of, newest first per patient. */
    public List<ConsentRecord> ofCustodian(Caller caller) {
        if (!caller.hasRole(PhrRole.FAMILY_DOCTOR)) {
            return List.of();
        }
        return index.wardsOf(caller.subject()).stream().flatMap(p -> index.ofPatient(p).stream()).toList();
    }

    /**
     * Whether the caller may sign decisions about this consent: its patient, or a custodian of the patient who neither
     * asked for it nor is named by it.
     */
    public boolean decidesFor(Caller caller, ConsentRecord r) {
        if (mpi.findByKeycloakUserId(caller.subject()).map(p -> p.pseudonym().equals(r.pseudonym())).orElse(false)) {
            return true;
        }
        return caller.hasRole(PhrRole.FAMILY_DOCTOR) && !r.requester().equals(caller.subject())
                && !(r.grantee().kind() == Grantee.Kind.PERSON && r.grantee().id().equals(caller.subject()))
                && index.wardsOf(caller.subject()).contains(r.pseudonym());
    }

    static Reference reference(Caller caller) {
        return new Reference().setIdentifier(new Identifier().setSystem(Grantee.Kind.PERSON.system()).setValue(caller.subject()))
                .setDisplay(caller.username() + " (custodian)");
    }
}
