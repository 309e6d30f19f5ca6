package org.phrcloud.api.ledger;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;
import org.phrcloud.ledger.anchor.AnchoringSchedule;
import org.phrcloud.ledger.anchor.AnchoringStatus;
import org.phrcloud.ledger.anchor.ResourceProof;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;
import org.phrcloud.standards.fhir.ledger.LedgerVerifier;
import org.phrcloud.standards.fhir.federation.ForeignBlocks;
import org.phrcloud.standards.fhir.federation.RecordsKeptElsewhere;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.core.federation.FederatedCallers;
import org.phrcloud.consent.policy.CallerScope;

import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code /api/ledger}: a patient's chain, paged, and its verification against the stored record. Access follows
 * the patient's record: the patient (acr 1), care givers who may reach the patient's compartment (acr 2), and
 * institution systems.
 */
@Path("ledger")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "ledger", description = "Per-patient chains of signed blocks")
@SecurityRequirement(name = "keycloak")
public class LedgerResource {
    private static final HexFormat HEX = HexFormat.of();

    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    /**
     * One entry of a block.
     *
     * @param contentHash hex SHA-256 of the resource version's RFC 8785 canonical JSON (see ContentHash)
     */
    public record EntryView(String resourceType, String id, String versionId, String operation, String contentHash) {
    }

    /**
     * A block as stored; hashes in hex, the signature (ECDSA P-256, P1363) in Base64.
     *
     * @param hash SHA-256 of the block's canonical encoding (format 1, see Block)
     */
    public record BlockView(int version, long height, String hash, String previousHash, Instant timestamp, String authorKeyId,
                            String practitionerId, List<EntryView> entries, String entriesRoot, String signature) {
        static BlockView of(Block b) {
            return new BlockView(b.version(), b.height(), HEX.formatHex(b.hash()), HEX.formatHex(b.previousHash()),
                    Instant.ofEpochMilli(b.timestamp()), b.authorKeyId(), b.practitionerId(),
                    b.entries().stream().map(e -> new EntryView(e.resourceType(), e.id(), e.versionId(), e.operation().name(),
                            HEX.formatHex(e.contentHash()))).toList(),
                    HEX.formatHex(b.entriesRoot()), Base64.getEncoder().encodeToString(b.signature()));
        }
    }

    @GET
    @Path("patients/{pseudonym}/blocks")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The patient's chain from a height on, oldest first (at most 200 blocks a page)")
    @APIResponse(responseCode = "404", description = "no such pseudonym")
    public Response blocks(@PathParam("pseudonym") String pseudonym, @QueryParam("from") @DefaultValue("0") long from,
                           @QueryParam("limit") @DefaultValue("50") int limit) {
        requireReach(pseudonym);
        if (from < 0 || limit < 1 || limit > 200) {
            throw new ApiException("PHR-API-0441: from >= 0, limit 1 to 200");
        }
        return JsonBodies.ok(SpringBeans.get(servletContext, JdbcChainStore.class).chain(pseudonym, from, limit)
                .stream().map(BlockView::of).toList());
    }

    @GET
    @Path("patients/{pseudonym}/head")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.PATIENT, Party.FEDERATED_CARE_GIVER}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The latest block of the patient's chain kept here",
            description = "Another deployment's care giver (client assertion) gets it when a consent or emergency access in force opens "
                    + "the record to them, to make the next block (POST patients/{pseudonym}/blocks).")
    @APIResponse(responseCode = "404", description = "no chain of this pseudonym is kept here")
    public Response head(@PathParam("pseudonym") String pseudonym) {
        Caller caller = AccessFilter.caller(request);
        java.util.Optional<Block> head;
        if (AccessFilter.federated(request)) {
            try {
                head = foreignBlocks().head(caller, pseudonym);
            } catch (ForeignBlocks.Refused e) {
                throw new ApiException(e.getMessage());
            }
        } else {
            requireReach(pseudonym);
            head = SpringBeans.get(servletContext, JdbcChainStore.class).head(pseudonym);
        }
        return JsonBodies.ok(BlockView.of(head.orElseThrow(() -> new ApiException("PHR-API-0444: this patient has no chain yet"))));
    }

    /**
     * A block made and signed by another institution.
     *
     * @param encoding  its canonical encoding (format 1, see Block), hex
     * @param signature its signature (ECDSA P-256 of SHA-256 of the block hash, P1363), Base64
     */
    public record SignedBlock(String encoding, String signature) {
    }

    @POST
    @Path("patients/{pseudonym}/blocks")
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(Party.FEDERATED_CARE_GIVER)
    @Operation(summary = "Another institution appends a block naming records it keeps to the patient's chain kept here",
            description = "Only for another deployment's care giver (client assertion). Accepted when this deployment is the chain's home, "
                    + "the block extends the head, is signed by the calling institution with a key it published on chain, names the "
                    + "calling person, records only creates and updates of the caller's own records by absolute URL, and a consent or "
                    + "emergency access in force opens the record to the person for every entry's type. Audited here.")
    @APIResponse(responseCode = "201", description = "appended; the block as stored")
    @APIResponse(responseCode = "403", description = "PHR-FEDERATION-0415 (not the caller's key), 0418 (no consent), 0419 (another person)")
    @APIResponse(responseCode = "409", description = "PHR-LEDGER-0302 (not after the head: the chain moved on, or sent before), "
            + "PHR-FEDERATION-0417 (not the home)")
    public Response append(@PathParam("pseudonym") String pseudonym, String json) {
        SignedBlock body = JsonBodies.read(json, SignedBlock.class);
        if (body == null || body.encoding() == null || body.signature() == null) {
            throw new ApiException("PHR-API-0400: the JSON body is missing or not what this operation takes");
        }
        byte[] encoding;
        byte[] signature;
        try {
            encoding = HEX.parseHex(body.encoding());
            signature = Base64.getDecoder().decode(body.signature());
        } catch (IllegalArgumentException e) {
            throw new ApiException("PHR-FEDERATION-0416: the encoding is hex and the signature Base64");
        }
        Caller caller = AccessFilter.caller(request);
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        java.util.Set<String> patients = patientIds(pseudonym);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails audited = org.phrcloud.core.caller.CallerContext.systemRequestAs(caller, "TREAT");
        Block block;
        try {
            block = foreignBlocks().accept(caller, pseudonym, encoding, signature);
        } catch (ForeignBlocks.Refused e) {
            String code = e.getMessage().substring(0, e.getMessage().indexOf(':'));
            auditor.record(audited, "create", 4, code, patients, List.of("ledger/patients/" + pseudonym + "/blocks"), null);
            throw new ApiException(e.getMessage());
        }
        auditor.record(audited, "create", 0, null, patients, block.entries().stream().map(Entry::id).toList(), null);
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON).entity(JsonBodies.write(BlockView.of(block))).build();
    }

    private ForeignBlocks foreignBlocks() {
        return org.phrcloud.api.federation.FederationResource.federation(servletContext, ForeignBlocks.class);
    }

    /** The Patient ids of a pseudonym's identity (none for an unknown pseudonym), for the AuditEvents naming the patient. */
    private java.util.Set<String> patientIds(String pseudonym) {
        return SpringBeans.get(servletContext, MasterPatientIndex.class).findByPseudonym(pseudonym)
                .map(i -> java.util.Set.copyOf(i.patientIds())).orElse(java.util.Set.of());
    }

    /**
     * The move request a patient signs (see ChainMoves#document).
     *
     * @param document RFC 8785 canonical JSON {@code {"action":"move-home","pseudonym":..,"requested":..,"to":..}}
     */
    public record MoveDocument(String document) {
    }

    @GET
    @Path("patients/{pseudonym}/move-document")
    @Access(Party.PATIENT)
    @Operation(summary = "The request to move the caller's chain to another home, to sign with the patient's key",
            description = "to: the new home's CAIP-10 account id, as the AnchorRegistry admits it. Valid for 10 minutes.")
    public Response moveDocument(@PathParam("pseudonym") String pseudonym, @QueryParam("to") String to) {
        ownIdentity(pseudonym);
        if (to == null || to.isBlank()) {
            throw new ApiException("PHR-FEDERATION-0423: to names the new home's account id");
        }
        return JsonBodies.ok(new MoveDocument(org.phrcloud.standards.fhir.federation.ChainMoves.document(pseudonym, to, Instant.now())));
    }

    /**
     * A signed move request.
     *
     * @param document  the move document as signed
     * @param signature the patient's ECDSA P-256 signature of its UTF-8 bytes (P1363, as for consent decisions), Base64
     */
    public record MoveRequest(String document, String signature) {
    }

    /**
     * A chain moved to another home.
     *
     * @param to       the new home's CAIP-10 account id
     * @param endpoint the new home's endpoint
     * @param height   the head handed over
     */
    public record MovedView(String pseudonym, String to, String endpoint, long height) {
    }

    @POST
    @Path("patients/{pseudonym}/move")
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(Party.PATIENT)
    @Operation(summary = "Move the caller's chain to another home (the patient signs the request; acr 2)",
            description = "This deployment hands the chain over to the new home, which verifies it and takes it; its next anchor makes it "
                    + "the home in the PatientRegistry. This deployment keeps every record it stored (the new home reads them from here) "
                    + "and refuses further writes to the patient's records with 409 PHR-LEDGER-0303 naming the new home.")
    @APIResponse(responseCode = "200", description = "moved")
    @APIResponse(responseCode = "400", description = "PHR-FEDERATION-0423: not the patient's signed, fresh request for an admitted new home")
    @APIResponse(responseCode = "409", description = "PHR-LEDGER-0303 (moved already), 0304 (the head waits for its anchor), "
            + "PHR-FEDERATION-0417 (not the home)")
    @APIResponse(responseCode = "502", description = "PHR-FEDERATION-0507: the new home did not take it; the chain stays here")
    public Response move(@PathParam("pseudonym") String pseudonym, String json) {
        PatientIdentity identity = ownIdentity(pseudonym);
        MoveRequest body = JsonBodies.read(json, MoveRequest.class);
        if (body == null || body.document() == null || body.signature() == null) {
            throw new ApiException("PHR-API-0400: the JSON body is missing or not what this operation takes");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(body.signature());
        } catch (IllegalArgumentException e) {
            throw new ApiException("PHR-FEDERATION-0423: the signature is Base64");
        }
        Caller caller = AccessFilter.caller(request);
        org.phrcloud.standards.fhir.federation.ChainMoves moves = org.phrcloud.api.federation.FederationResource.federation(servletContext,
                org.phrcloud.standards.fhir.federation.ChainMoves.class);
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails audited = org.phrcloud.core.caller.CallerContext.systemRequestAs(caller, "PATRQT");
        List<String> what = List.of("ledger/patients/" + pseudonym);
        org.phrcloud.standards.fhir.federation.ChainMoves.Moved moved;
        try {
            moved = moves.moveOut(caller, identity, body.document(), signature);
        } catch (org.phrcloud.connector.FederationClient.Refused e) {
            auditor.record(audited, "update", 4, e.body().substring(0, Math.max(0, e.body().indexOf(':'))), identity.patientIds(), what, null);
            throw new ApiException(e.body());
        } catch (org.phrcloud.connector.NetworkRegistry.RegistryUnavailableException e) {
            throw new ApiException("PHR-FEDERATION-0503: the network registry on chain cannot be read");
        }
        auditor.record(audited, "update", 0, null, identity.patientIds(), what, null);
        return JsonBodies.ok(new MovedView(pseudonym, moved.to().accountId(), moved.to().endpoint(), moved.height()));
    }

    /** The identity of the calling patient's own login, by pseudonym (403 otherwise). */
    private PatientIdentity ownIdentity(String pseudonym) {
        PatientIdentity identity = SpringBeans.get(servletContext, MasterPatientIndex.class).findByPseudonym(pseudonym)
                .orElseThrow(() -> new ApiException("PHR-API-0440: no identity with this pseudonym"));
        if (!AccessFilter.caller(request).subject().equals(identity.keycloakUserId())) {
            throw new ApiException("PHR-API-0442: only the patient moves their own chain");
        }
        return identity;
    }

    @GET
    @Path("patients/{pseudonym}/verify")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Verify the chain (links, signatures) and that every recorded resource still matches its latest entry",
            description = "tamperedResources names each resource (Type/id) whose stored content or version no longer matches.")
    public Response verify(@PathParam("pseudonym") String pseudonym) {
        requireReach(pseudonym);
        LedgerVerifier.Report report = SpringBeans.get(servletContext, LedgerVerifier.class).verify(pseudonym);
        Caller caller = AccessFilter.caller(request);
        RecordsKeptElsewhere elsewhere = SpringBeans.find(servletContext, RecordsKeptElsewhere.class);
        if (!report.keptElsewhere().isEmpty() && elsewhere != null && !caller.serviceAccount()) {
            List<String> problems = new java.util.ArrayList<>();
            for (RecordsKeptElsewhere.Checked c : elsewhere.check(pseudonym, party(caller))) {
                switch (c.status()) {
                    case TAMPERED -> problems.add(c.url() + ": content does not match its chain entry where it is kept");
                    case MISSING -> problems.add(c.url() + ": missing where it is kept");
                    default -> {
                    }
                }
            }
            report = report.withProblemsKeptElsewhere(problems);
        }
        return JsonBodies.ok(report);
    }

    @GET
    @Path("patients/{pseudonym}/kept-elsewhere")
    @Access(value = {Party.CARE_GIVER, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The records the patient's chain names at other deployments, fetched from where they are kept and checked",
            description = "For each, the latest entry of the chain, the institution keeping it, the record as it answers (for this caller, "
                    + "as the patient's home) and the status: VERIFIED (its content hash and version are the chain's), TAMPERED, "
                    + "MISSING, REFUSED or UNREACHABLE. Audited here.")
    public Response keptElsewhere(@PathParam("pseudonym") String pseudonym) {
        requireReach(pseudonym);
        RecordsKeptElsewhere elsewhere = SpringBeans.find(servletContext, RecordsKeptElsewhere.class);
        if (elsewhere == null) {
            return JsonBodies.ok(List.of());
        }
        Caller caller = AccessFilter.caller(request);
        List<RecordsKeptElsewhere.Checked> checked = elsewhere.check(pseudonym, party(caller));
        SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class).record(org.phrcloud.core.caller.CallerContext.systemRequestAs(caller,
                FederatedCallers.purposeOfUse(caller)), "read", 0, null, patientIds(pseudonym),
                checked.stream().map(RecordsKeptElsewhere.Checked::url).toList(), null);
        return JsonBodies.ok(checked);
    }

    /** The caller as the person this deployment acts for at the institutions keeping the records (care giver or patient). */
    private static org.phrcloud.connector.ActingParty party(Caller caller) {
        return FederatedCallers.actingParty(caller, FederatedCallers.purposeOfUse(caller));
    }

    @GET
    @Path("patients/{pseudonym}/export")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The patient's whole chain with the evidence of every anchor (format phr-chain-export/1)",
            description = "Blocks as canonical encodings (hex) and signatures (Base64), and per confirmed anchor the root, tree size, "
                    + "transaction, chain block, and the covered head's RFC 9162 inclusion path. The standalone verifier "
                    + "(org.phrcloud.tools.VerifyCommand, ./phr verify) checks it with the published keys and a JSON-RPC node.")
    @APIResponse(responseCode = "404", description = "no such pseudonym, or no chain yet")
    public Response export(@PathParam("pseudonym") String pseudonym) {
        requireReach(pseudonym);
        return JsonBodies.ok(SpringBeans.get(servletContext, ResourceProofs.class).export(pseudonym)
                .orElseThrow(() -> new ApiException("PHR-API-0444: this patient has no chain yet")));
    }

    /** An RFC 9162 inclusion proof: hashes in hex, from the leaf's sibling upwards. */
    public record ProofView(int leafIndex, int treeSize, List<String> path) {
        static ProofView of(org.phrcloud.ledger.merkle.InclusionProof p) {
            return p == null ? null : new ProofView(p.leafIndex(), p.treeSize(), p.path().stream().map(HEX::formatHex).toList());
        }
    }

    /** The anchor of a proof: the root sent to AnchorRegistry and the transaction that sent it. */
    public record AnchorView(long id, String root, int treeSize, long chainId, String contract, String txHash, long blockNumber) {
    }

    /**
     * A resource version's proof (see ResourceProof): {@code blocks} hold each block's canonical encoding and
     * signature (hex, Base64) from the entry's block to the anchored head; {@code anchor} and {@code leafProof} are
     * null while the head waits for its anchor.
     */
    public record ResourceProofView(EntryView entry, ProofView entryProof, List<String> blockEncodings, List<String> blockSignatures,
                                    AnchorView anchor, ProofView leafProof, int sizeBytes) {
    }

    @GET
    @Path("resources/{type}/{id}/proof")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.CARE_GIVER, Party.PATIENT}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Proof that a resource version is in its patient's chain and under an anchored Merkle root",
            description = "The latest recorded version, or ?version=. sizeBytes: the binary size of hashes and encodings.")
    @APIResponse(responseCode = "404", description = "the chain never recorded it")
    public Response proof(@PathParam("type") String type, @PathParam("id") String id, @QueryParam("version") String version) {
        ResourceProof proof = SpringBeans.get(servletContext, ResourceProofs.class).proof(type, id, version)
                .orElseThrow(() -> new ApiException("PHR-API-0443: no chain records " + type + "/" + id));
        requireReach(proof.blocks().get(0).pseudonym());
        Entry e = proof.entry();
        ResourceProof.Anchor a = proof.anchor();
        int size = Block.entryEncoding(e).length + 32 * proof.entryProof().path().size()
                + proof.blocks().stream().mapToInt(b -> b.canonicalEncoding().length + b.signature().length).sum()
                + (a == null ? 0 : 32 + 32 * proof.leafProof().path().size());
        return JsonBodies.ok(new ResourceProofView(
                new EntryView(e.resourceType(), e.id(), e.versionId(), e.operation().name(), HEX.formatHex(e.contentHash())),
                ProofView.of(proof.entryProof()),
                proof.blocks().stream().map(b -> HEX.formatHex(b.canonicalEncoding())).toList(),
                proof.blocks().stream().map(b -> Base64.getEncoder().encodeToString(b.signature())).toList(),
                a == null ? null : new AnchorView(a.id(), HEX.formatHex(a.root()), a.treeSize(), a.chainId(), a.contract(), a.txHash(),
                        a.blockNumber()),
                ProofView.of(proof.leafProof()), size));
    }

    @GET
    @Path("anchoring")
    @Access(value = {Party.INSTITUTION_SYSTEM, Party.ADMIN})
    @Operation(summary = "Anchoring lag: blocks waiting for an anchor, age of the oldest, the last confirmed anchor, the anchor in flight",
            description = "Counts and hashes only. enabled is false when no chain is configured.")
    public Response anchoring() {
        boolean enabled = SpringBeans.find(servletContext, AnchoringSchedule.class) != null;
        return JsonBodies.ok(AnchoringStatus.read(SpringBeans.get(servletContext, javax.sql.DataSource.class), enabled, Instant.now()));
    }

    /** The caller must be able to reach one of the identity's Patients (the FHIR rules' own scope). */
    private void requireReach(String pseudonym) {
        MasterPatientIndex mpi = SpringBeans.get(servletContext, MasterPatientIndex.class);
        PatientIdentity identity = mpi.findByPseudonym(pseudonym)
                .orElseThrow(() -> new ApiException("PHR-API-0440: no identity with this pseudonym"));
        CallerScope scope = CallerScope.resolve(AccessFilter.caller(request), mpi);
        if (scope.kind() == CallerScope.Kind.INSTITUTION_SYSTEM) {
            return;
        }
        boolean ownChain = scope.kind() == CallerScope.Kind.PATIENT && AccessFilter.caller(request).subject().equals(identity.keycloakUserId());
        if (!ownChain && identity.patientIds().stream().noneMatch(scope.patientIds()::contains)) {
            throw new ApiException("PHR-API-0442: this caller may not read this patient's record");
        }
    }
}
