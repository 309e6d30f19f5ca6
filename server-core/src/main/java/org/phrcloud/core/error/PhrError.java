package org.phrcloud.core.error;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The error catalog: every {@code PHR-<AREA>-<NNNN>} code of the platform, defined once, with the HTTP status an
 * answer carrying it gets and a short title (the RFC 9457 {@code title} of its problem type). Messages start with
 * their code ({@code "PHR-API-0421: this login is not linked to a patient identity"}), as HAPI FHIR's
 * {@code Msg.code} does, so logs, support and tests can grep them; the layers below this module (identity, ledger,
 * the anonymization engine) write the code in their messages, and {@code ErrorCatalogTest} checks that every code
 * in the sources is here and every code here is used.
 *
 * <p>Areas: API (the JSON APIs), AUDIT, AUTHZ (FHIR authorization), CONSENT, FEDERATION, FHIR, HL7, IDENTITY, LEDGER, PORTAL,
 * RESEARCH, TERM (terminology), TOKEN (access tokens). The status of a code that never reaches a caller (a
 * start-up check, a log line) is 500. The problem type of a code is {@code /api/problems/<code>} (RFC 9457
 * section 3.1.1), which answers with the entry.
 */
public enum PhrError {
    // API
    PHR_API_0001(403, "This endpoint declares no caller"),
    PHR_API_0400(400, "The JSON body is missing or not what this operation takes"),
    PHR_API_0401(401, "A bearer access token is required"),
    PHR_API_0402(401, "The bearer access token is not valid for this server"),
    PHR_API_0403(403, "This caller may not use this operation"),
    PHR_API_0404(401, "This needs authentication with a second factor (acr=2)"),
    PHR_API_0405(404, "No such resource in this API"),
    PHR_API_0406(405, "Method not allowed"),
    PHR_API_0407(406, "Not acceptable"),
    PHR_API_0408(415, "Unsupported media type"),
    PHR_API_0409(400, "Request refused"),
    PHR_API_0410(400, "Demographics are required"),
    PHR_API_0411(400, "Limit is 1 to 50"),
    PHR_API_0412(404, "There is no such Patient"),
    PHR_API_0413(400, "The keycloakUserId is a Keycloak user id (UUID)"),
    PHR_API_0414(400, "The passphrase needs at least"),
    PHR_API_0415(410, "The key was handed over before"),
    PHR_API_0416(400, "Give either identifier=system|value or patientId"),
    PHR_API_0417(400, "Identifier is system|value (FHIR token search syntax)"),
    PHR_API_0418(404, "No identity matches"),
    PHR_API_0420(403, "This is not your identity"),
    PHR_API_0421(404, "This login is not linked to a patient identity"),
    PHR_API_0422(403, "You may register patients only for your own institution"),
    PHR_API_0423(403, "This identity belongs to another institution"),
    PHR_API_0430(503, "Account administration is not configured (PHR_DIRECTORY_CLIENT_SECRET)"),
    PHR_API_0432(400, "Username and role are required"),
    PHR_API_0433(400, "Unknown role"),
    PHR_API_0440(404, "No identity with this pseudonym"),
    PHR_API_0441(400, "From >= 0, limit 1 to 200"),
    PHR_API_0442(403, "This caller may not read this patient's record"),
    PHR_API_0443(404, "No chain records this resource version"),
    PHR_API_0444(404, "This patient has no chain yet"),
    PHR_API_0445(409, "A sealed record is under a master key that is not configured"),
    PHR_API_0450(400, "Patient and days are required"),
    PHR_API_0451(400, "Grantee is person or institution"),
    PHR_API_0452(400, "Start is an ISO 8601 instant, e.g. 2026-11-24T10:00:00Z"),
    PHR_API_0453(400, "Signature is Base64"),
    PHR_API_0454(400, "Patient is required"),
    PHR_API_0455(400, "Size and days are required"),
    PHR_API_0456(400, "The publicKey is Base64"),
    PHR_API_0460(403, "This login is not linked to a patient record"),
    PHR_API_0461(400, "Limit is 1 to 1000"),
    PHR_API_0462(400, "Give requestId or patientId"),
    PHR_API_0463(400, "From and to are ISO 8601 instants, e.g. 2026-11-24T10:00:00Z"),
    PHR_API_0500(500, "Internal error"),
    PHR_API_0503(503, "The database cannot be reached; nothing was written: send the request again shortly"),
    PHR_API_0501(500, "Cannot write a response"),
    PHR_API_0502(500, "The key file does not parse"),
    PHR_API_0561(500, "A stored AuditEvent does not parse"),
    PHR_API_0571(500, "A stored research data set does not parse"),

    // AUDIT
    PHR_AUDIT_0401(500, "A FHIR write outside a transaction cannot be audited with it"),
    PHR_AUDIT_0402(500, "The AuditEvent of a failed"),
    PHR_AUDIT_0501(500, "Sealing the audit log failed; the next round retries"),
    PHR_AUDIT_0901(500, "The audit log could not be written or read"),

    // AUTHZ
    PHR_AUTHZ_0001(403, "Researchers have no FHIR access; use /api/research"),
    PHR_AUTHZ_0002(401, "This needs authentication with a second factor (acr=2)"),
    PHR_AUTHZ_0003(403, "This login is not linked to a patient record yet"),
    PHR_AUTHZ_0004(403, "Administrators have no clinical access"),
    PHR_AUTHZ_0005(403, "No PHR role grants FHIR access"),
    PHR_AUTHZ_0010(403, "Access to this record is not allowed for this caller"),
    PHR_AUTHZ_0011(403, "The search names a record this caller may not reach"),
    PHR_AUTHZ_0020(403, "The token's SMART scopes do not permit this interaction on this type"),
    PHR_AUTHZ_0021(400, "A SMART authorization request must name this FHIR server's base URL in aud"),
    PHR_AUTHZ_0022(502, "The authorization server cannot be reached"),

    // CONSENT
    PHR_CONSENT_0101(400, "A grantee has a kind and an id"),
    PHR_CONSENT_0102(400, "Name at least one resource type in scope"),
    PHR_CONSENT_0103(400, "The access level is information, sample or full"),
    PHR_CONSENT_0104(400, "The purpose of use is one of"),
    PHR_CONSENT_0105(400, "A grant has a start and an end"),
    PHR_CONSENT_0106(400, "Every resource type is the scope of an emergency access only"),
    PHR_CONSENT_0201(404, "No patient with this pseudonym"),
    PHR_CONSENT_0202(409, "This patient has no FHIR Patient record yet"),
    PHR_CONSENT_0203(400, "Researchers ask with purpose HRESCH (healthcare research)"),
    PHR_CONSENT_0204(400, "A care giver may ask for one of their own institutions only"),
    PHR_CONSENT_0205(400, "Not a resource type of the Patient compartment"),
    PHR_CONSENT_0206(400, "The grant would end before it is asked for"),
    PHR_CONSENT_0207(400, "Emergency access is declared (POST /api/consent/emergency), not asked for"),
    PHR_CONSENT_0208(400, "Only care givers declare an emergency access"),
    PHR_CONSENT_0209(400, "State the reason for the emergency access (1 to"),
    PHR_CONSENT_0210(400, "Fewer patients are eligible than the study asks for"),
    PHR_CONSENT_0211(400, "Research studies are run by researchers"),
    PHR_CONSENT_0212(400, "A study asks for too few or too many patients"),
    PHR_CONSENT_0213(400, "The eligibility search is at most 2000 characters"),
    PHR_CONSENT_0214(400, "Too many patients are eligible; narrow the eligibility search"),
    PHR_CONSENT_0301(404, "No such consent for this caller"),
    PHR_CONSENT_0302(409, "The consent's state does not allow this decision"),
    PHR_CONSENT_0303(400, "The signature does not verify with the decider's registered key (the patient's, or their custodian's)"),
    PHR_CONSENT_0304(404, "No such study for this caller"),
    PHR_CONSENT_0305(409, "A custodian does not decide about a consent they asked for or that names them"),
    PHR_CONSENT_0306(404, "No family doctor with a registered custodian key has this username"),
    PHR_CONSENT_0307(400, "Custodians are family doctors"),
    PHR_CONSENT_0308(400, "The key is the Base64 of a DER SubjectPublicKeyInfo of an ECDSA P-256 key"),
    PHR_CONSENT_0901(500, "The consent index could not be read"),
    PHR_CONSENT_0902(500, "The consent index could not be written"),

    // FEDERATION
    PHR_FEDERATION_0401(401, "The client assertion is not an ES256 JWS of type phr-federation+jwt"),
    PHR_FEDERATION_0402(401, "Iss and sub must both be the calling institution's account id"),
    PHR_FEDERATION_0403(401, "The issuer is not an admitted institution with published keys"),
    PHR_FEDERATION_0404(401, "The client assertion is not signed by a current key the issuer published"),
    PHR_FEDERATION_0405(401, "The client assertion is for another audience"),
    PHR_FEDERATION_0406(401, "The client assertion needs exp, iat and jti, and lives 5 minutes at most"),
    PHR_FEDERATION_0407(401, "The client assertion has expired or is not valid yet"),
    PHR_FEDERATION_0408(401, "The client assertion lacks the hl7-b2b subject claims"),
    PHR_FEDERATION_0409(401, "The client assertion was used before (replay)"),
    PHR_FEDERATION_0410(403, "Another institution may use only what federation offers"),
    PHR_FEDERATION_0411(403, "Another institution may act only for care givers (and patients where an endpoint admits them)"),
    PHR_FEDERATION_0412(400, "A path relative to the other deployment's FHIR endpoint is required"),
    PHR_FEDERATION_0413(404, "No institution holds a chain of this pseudonym"),
    PHR_FEDERATION_0414(400, "The purpose of use is TREAT or ETREAT"),
    PHR_FEDERATION_0415(403, "A block must be signed by the calling institution with a key it published"),
    PHR_FEDERATION_0416(400, "A block must be well formed and record only the calling institution's own records, by absolute URL"),
    PHR_FEDERATION_0417(409, "This deployment is not the home of this patient's chain"),
    PHR_FEDERATION_0418(403, "No consent or emergency access in force opens this record to the caller for these records"),
    PHR_FEDERATION_0419(403, "A block must name the calling person as its practitioner"),
    PHR_FEDERATION_0420(400, "A record for another deployment's patient is a FHIR resource of a type with a subject"),
    PHR_FEDERATION_0421(403, "Only the home of the patient's chain reads a record kept here for the patient"),
    PHR_FEDERATION_0422(404, "No record kept here for another deployment's patient by this type and id"),
    PHR_FEDERATION_0423(400, "A move is the patient's signed request naming their pseudonym and an admitted new home"),
    PHR_FEDERATION_0424(403, "Only the home of the patient's chain hands it over"),
    PHR_FEDERATION_0425(422, "The chain handed over does not verify"),
    PHR_FEDERATION_0501(500, "A client assertion cannot be signed"),
    PHR_FEDERATION_0502(502, "The patient's home deployment cannot be reached"),
    PHR_FEDERATION_0503(503, "The network registry on chain cannot be read"),
    PHR_FEDERATION_0504(503, "This deployment has no chain configured, so no federation"),
    PHR_FEDERATION_0505(503, "The replay check of client assertions cannot use the database"),
    PHR_FEDERATION_0506(500, "A block cannot be signed with this key"),
    PHR_FEDERATION_0507(502, "The new home refused the chain or cannot be reached; the chain stays here"),

    // FHIR
    PHR_FHIR_0001(500, "Phr.oidc.issuer (PHR_OIDC_ISSUER) is not set"),
    PHR_FHIR_0002(500, "Phr.chain.sender.key (PHR_CHAIN_SENDER_KEY) is not set or not a key"),
    PHR_FHIR_0003(500, "A secret file named in the configuration cannot be read"),
    PHR_FHIR_0004(500, "Phr.emergency.hours (PHR_EMERGENCY_HOURS) is 1 to 168"),
    PHR_FHIR_0005(500, "Phr.mllp.port (PHR_MLLP_PORT) is 0 (off) or a TCP port"),
    PHR_FHIR_0101(500, "A Bundle entry has no resource"),
    PHR_FHIR_0102(500, "A Bundle entry has no id"),
    PHR_FHIR_0103(500, "The bundle load failed"),
    PHR_FHIR_0301(400, "Unknown or missing statistic"),
    PHR_FHIR_0302(400, "Subject must name a Patient of this server, as Patient/[id]"),
    PHR_FHIR_0303(400, "Too many Observations match; narrow the request by code or period"),
    PHR_FHIR_0304(400, "Duration is a positive number of hours"),
    PHR_FHIR_0305(400, "$match needs a Patient in the parameter resource"),
    PHR_FHIR_0306(400, "Count is 1 to 50"),
    PHR_FHIR_0307(400, "$match needs an identifier, or a name with birth date and gender"),
    PHR_FHIR_0400(400, "The request body is not well-formed FHIR"),
    PHR_FHIR_0601(400, "A bulk export needs the header Prefer: respond-async"),
    PHR_FHIR_0602(400, "_outputFormat is application/fhir+ndjson, application/ndjson or ndjson"),
    PHR_FHIR_0603(400, "_type names a resource type the export does not offer"),
    PHR_FHIR_0604(400, "_since is a FHIR instant"),
    PHR_FHIR_0605(404, "There is no such bulk export of this caller"),
    PHR_FHIR_0606(403, "This caller has no records to export"),
    PHR_FHIR_0607(500, "The bulk export failed"),
    PHR_FHIR_0608(400, "A bulk export parameter is not supported here"),
    PHR_FHIR_0609(404, "The Group is not there or not readable by this caller"),
    PHR_FHIR_0610(500, "The bulk export store failed"),
    PHR_FHIR_0611(405, "Method not allowed on a bulk export URL"),
    PHR_FHIR_0612(404, "This researcher has no released research data set of the study"),
    PHR_FHIR_0613(500, "The bulk export stopped with the server running it; kick it off again"),
    PHR_FHIR_0503(503, "The database cannot be reached; nothing was written: send the request again shortly"),
    PHR_FHIR_0401(401, "A bearer access token is required"),
    PHR_FHIR_0402(401, "The bearer access token is not valid for this server"),

    // HL7
    PHR_HL7_0001(500, "The MLLP listener started"),
    PHR_HL7_0101(500, "An HL7 v2 message was refused"),
    PHR_HL7_0102(500, "An HL7 v2 message was not stored: the FHIR write failed"),
    PHR_HL7_0103(500, "An HL7 v2 message was not stored"),
    PHR_HL7_0901(500, "The HL7 v2 message log could not be read"),
    PHR_HL7_0902(500, "The message could not be recorded (processed concurrently?)"),
    PHR_HL7_0903(500, "An acknowledgment could not be built"),
    PHR_HL7_0904(500, "The MLLP listener cannot listen"),

    // IDENTITY
    PHR_IDENTITY_0001(500, "Unusable TOTP secret"),
    PHR_IDENTITY_0010(500, "No such demo user"),
    PHR_IDENTITY_0011(500, "Keycloak refused to create"),
    PHR_IDENTITY_0012(500, "A required environment variable is not set"),
    PHR_IDENTITY_0013(500, "Keycloak refused a realm change"),
    PHR_IDENTITY_0101(400, "A pseudonym is 64 lowercase hex characters"),
    PHR_IDENTITY_0110(500, "Cannot sign with this key: not a P-256 private key"),
    PHR_IDENTITY_0120(500, "Cannot write the key file"),
    PHR_IDENTITY_0121(400, "The key file's pseudonym does not match its public key"),
    PHR_IDENTITY_0122(400, "The key file's public key is not an EC key"),
    PHR_IDENTITY_0123(400, "Wrong passphrase, or the key file was altered"),
    PHR_IDENTITY_0124(400, "The key file cannot be decrypted"),
    PHR_IDENTITY_0125(400, "Not a PHR key file"),
    PHR_IDENTITY_0126(400, "Unsupported key file format or parameters"),
    PHR_IDENTITY_0201(500, "No master key with id"),
    PHR_IDENTITY_0202(500, "Master keys are id:BASE64 pairs"),
    PHR_IDENTITY_0203(500, "A master key is not 32 bytes"),
    PHR_IDENTITY_0204(500, "A master key id repeats"),
    PHR_IDENTITY_0205(500, "No master key with id"),
    PHR_IDENTITY_0210(500, "Cannot encrypt a record"),
    PHR_IDENTITY_0211(500, "The record or its key was altered"),
    PHR_IDENTITY_0212(500, "Cannot decrypt a record"),
    PHR_IDENTITY_0213(500, "The wrapped data key was altered"),
    PHR_IDENTITY_0214(500, "Cannot re-wrap a data key"),
    PHR_IDENTITY_0215(500, "Not a sealed record of format 1"),
    PHR_IDENTITY_0220(500, "The blind index key needs at least 32 bytes"),
    PHR_IDENTITY_0221(500, "A sealed record does not unwrap and stays under its key"),
    PHR_IDENTITY_0222(500, "The batch size is at least 1"),
    PHR_IDENTITY_0223(500, "Master-key rotation failed"),
    PHR_IDENTITY_0300(500, "Master patient index storage failed"),
    PHR_IDENTITY_0301(400, "An identifier needs a system and a value"),
    PHR_IDENTITY_0302(400, "Unknown administrative gender"),
    PHR_IDENTITY_0310(409, "These identifiers belong to"),
    PHR_IDENTITY_0311(409, "The Patient is linked to another identity"),
    PHR_IDENTITY_0312(404, "The Patient is not linked to this identity"),
    PHR_IDENTITY_0313(409, "This login is linked to another identity"),
    PHR_IDENTITY_0314(404, "No identity with this pseudonym"),
    PHR_IDENTITY_0315(500, "The stored key pair does not load"),
    PHR_IDENTITY_0316(500, "Cannot write demographics"),
    PHR_IDENTITY_0317(500, "Stored demographics do not parse"),
    PHR_IDENTITY_0318(500, "A sealed record of the index was altered or moved"),
    PHR_IDENTITY_0319(409, "Another request registered the same"),
    PHR_IDENTITY_0320(409, "An identity of this pseudonym is registered here already"),
    PHR_IDENTITY_0401(400, "An institution id is 2 to 48 lowercase letters, digits or hyphens"),
    PHR_IDENTITY_0402(500, "Cannot store an institution key"),
    PHR_IDENTITY_0403(404, "No such institution key"),
    PHR_IDENTITY_0404(500, "Cannot load institution key"),
    PHR_IDENTITY_0405(500, "A stored institution key does not load"),
    PHR_IDENTITY_0406(500, "Cannot read institution keys"),
    PHR_IDENTITY_0501(400, "An institution needs an id (2 to 48 lowercase letters, digits, hyphens) and a name"),
    PHR_IDENTITY_0502(409, "The institution exists"),
    PHR_IDENTITY_0503(400, "A username is 3 to 64 lowercase letters, digits, dots, hyphens or underscores"),
    PHR_IDENTITY_0504(400, "Accounts can be made for"),
    PHR_IDENTITY_0505(400, "The role needs an existing institution"),
    PHR_IDENTITY_0506(409, "The username or email is taken"),
    PHR_IDENTITY_0507(502, "Keycloak answered with an error"),
    PHR_IDENTITY_0508(502, "Keycloak is unreachable"),
    PHR_IDENTITY_0509(502, "Keycloak answered something other than JSON"),
    PHR_IDENTITY_0510(400, "A client id is 3 to 64 lowercase letters, digits, dots, hyphens or underscores"),
    PHR_IDENTITY_0511(400, "A system belongs to an existing institution"),
    PHR_IDENTITY_0512(400, "A backend-services client needs its public keys: a JWK Set of EC P-256/P-384 or RSA (2048 bits or more) public keys, or an https JWK Set URL"),
    PHR_IDENTITY_0513(409, "The client id is taken"),

    // LEDGER
    PHR_LEDGER_0101(500, "A resource is a JSON object"),
    PHR_LEDGER_0102(500, "No consistency proof from"),
    PHR_LEDGER_0103(500, "No Merkle tree of this size"),
    PHR_LEDGER_0104(500, "The leaf is not in the Merkle tree"),
    PHR_LEDGER_0201(500, "An entry's content hash is 32 bytes"),
    PHR_LEDGER_0202(500, "The previous hash is 32 bytes"),
    PHR_LEDGER_0203(500, "A block records at least one entry"),
    PHR_LEDGER_0204(500, "Not a block encoding"),
    PHR_LEDGER_0205(500, "Unsupported block format version"),
    PHR_LEDGER_0206(500, "Bytes after the end of the block"),
    PHR_LEDGER_0207(500, "The entries root does not match the entries"),
    PHR_LEDGER_0208(500, "Unknown operation code"),
    PHR_LEDGER_0301(500, "Chain storage failed"),
    PHR_LEDGER_0302(409, "The block does not extend the chain's head here"),
    PHR_LEDGER_0303(409, "This patient's chain moved to another home, or is not kept here to move"),
    PHR_LEDGER_0304(409, "The chain's head waits for its anchor; it moves once anchored"),
    PHR_LEDGER_0401(500, "The institution has no signing key"),
    PHR_LEDGER_0402(500, "A Patient without identity: the write is not chained"),
    PHR_LEDGER_0403(500, "A FHIR write outside a transaction cannot be chained"),
    PHR_LEDGER_0404(500, "A published institution key does not load"),
    PHR_LEDGER_0405(500, "HAPI's own JSON of a resource being written did not parse: the write is not chained"),
    PHR_LEDGER_0501(500, "The anchor contract refuses this account's anchor"),
    PHR_LEDGER_0502(500, "The node refused the anchor transaction"),
    PHR_LEDGER_0503(500, "The node names another hash for the anchor transaction"),
    PHR_LEDGER_0504(500, "Anchor bookkeeping failed"),
    PHR_LEDGER_0505(500, "Cannot read the anchoring status"),
    PHR_LEDGER_0506(500, "An anchoring round failed"),
    PHR_LEDGER_0507(500, "Admitting an institution's account failed"),
    PHR_LEDGER_0508(500, "A lease of a background task (anchoring, audit sealing) cannot be read"),
    PHR_LEDGER_0601(500, "A consent registry entry is malformed"),
    PHR_LEDGER_0602(500, "Cannot read the anchors of a chain"),
    PHR_LEDGER_0603(500, "Cannot read a proof"),
    PHR_LEDGER_0701(500, "Not a JWK Set of EC keys"),

    // PORTAL
    PHR_PORTAL_0001(500, "Cannot read PHR_PORTAL_CLIENT_SECRET_FILE"),
    PHR_PORTAL_0002(500, "A portal setting is not set"),
    PHR_PORTAL_0003(503, "The sign-in service cannot be reached"),

    // RESEARCH
    PHR_RESEARCH_0001(400, "A row has the wrong number of values"),
    PHR_RESEARCH_0002(400, "Column names repeat"),
    PHR_RESEARCH_0003(400, "No such column"),
    PHR_RESEARCH_0004(500, "The pseudonym key needs at least 32 bytes"),
    PHR_RESEARCH_0005(500, "The date shift key needs at least 32 bytes"),
    PHR_RESEARCH_0006(400, "The largest shift is at least 1 day"),
    PHR_RESEARCH_0007(400, "A date column holds a value that is not an ISO date"),
    PHR_RESEARCH_0101(400, "Interval widths must nest"),
    PHR_RESEARCH_0102(400, "No such generalization level"),
    PHR_RESEARCH_0103(400, "Not a number"),
    PHR_RESEARCH_0104(400, "A code has the wrong length"),
    PHR_RESEARCH_0105(400, "A hierarchy line has the wrong number of fields"),
    PHR_RESEARCH_0106(400, "A value repeats in the hierarchy"),
    PHR_RESEARCH_0107(400, "An empty hierarchy"),
    PHR_RESEARCH_0108(400, "The hierarchy does not know a value"),
    PHR_RESEARCH_0109(400, "Not an ISO 8601 date"),
    PHR_RESEARCH_0110(400, "A hierarchy line without a value"),
    PHR_RESEARCH_0201(400, "K is at least 1"),
    PHR_RESEARCH_0202(400, "No sensitive attribute"),
    PHR_RESEARCH_0203(400, "T is between 0 and 1"),
    PHR_RESEARCH_0204(400, "A sensitive value the input did not have"),
    PHR_RESEARCH_0301(400, "Mondrian needs numeric quasi-identifiers"),
    PHR_RESEARCH_1001(400, "Study is required (the id of one of your studies)"),
    PHR_RESEARCH_1002(400, "Purpose is 1 to 1000 characters"),
    PHR_RESEARCH_1003(400, "Ask for 1 to 30 attributes"),
    PHR_RESEARCH_1004(400, "Class is identifier, quasi-identifier, sensitive or insensitive"),
    PHR_RESEARCH_1005(400, "Attribute names are unique and match [a-z][a-z0-9_]{0,39}"),
    PHR_RESEARCH_1006(400, "Unknown attribute source"),
    PHR_RESEARCH_1007(400, "The pseudonym is the only identifier attribute"),
    PHR_RESEARCH_1008(400, "Bands are positive widths, each a multiple of the one before, for numeric sources"),
    PHR_RESEARCH_1009(400, "A hierarchy is for categorical quasi-identifiers"),
    PHR_RESEARCH_1010(400, "Name at least one quasi-identifier"),
    PHR_RESEARCH_1011(400, "K is 2 to 1000"),
    PHR_RESEARCH_1012(400, "L-diversity and t-closeness protect sensitive attributes: name at least one"),
    PHR_RESEARCH_1013(400, "L is 2 to 100"),
    PHR_RESEARCH_1014(400, "LModel is distinct or entropy"),
    PHR_RESEARCH_1015(400, "T is in (0, 1]"),
    PHR_RESEARCH_1016(400, "Algorithm is full-domain or mondrian"),
    PHR_RESEARCH_1017(400, "SuppressionLimit is 0 to 0.5 (0 with mondrian, which suppresses nothing)"),
    PHR_RESEARCH_1018(400, "RiskThreshold is in (0, 1]"),
    PHR_RESEARCH_1019(400, "Cohort is at most 10 FHIR searches of at most 2000 characters each"),
    PHR_RESEARCH_1020(400, "A numeric quasi-identifier needs bands in full-domain generalization"),
    PHR_RESEARCH_1021(400, "Not a resource type of the Patient compartment"),
    PHR_RESEARCH_1022(400, "A cohort search is a FHIR search on a type of the Patient compartment"),
    PHR_RESEARCH_1023(400, "Research data sets are asked for by researchers"),
    PHR_RESEARCH_1024(404, "No such study for this caller"),
    PHR_RESEARCH_1025(404, "No such data set for this caller"),
    PHR_RESEARCH_1026(409, "The data set is not released"),
    PHR_RESEARCH_1027(400, "The hierarchy does not cover the data"),
    PHR_RESEARCH_1028(400, "The hierarchy is not a table of value;level 1;...;level n lines"),
    PHR_RESEARCH_1101(500, "The server stopped before the job finished"),
    PHR_RESEARCH_1102(400, "Fewer patients are included than k"),
    PHR_RESEARCH_1103(500, "No release satisfies the privacy models"),
    PHR_RESEARCH_1104(500, "The checker refused the release"),
    PHR_RESEARCH_1105(500, "A research data set job failed"),
    PHR_RESEARCH_1106(500, "A failed research data set could not be marked failed"),
    PHR_RESEARCH_1111(500, "The release database could not be written"),
    PHR_RESEARCH_1201(400, "The query did not run"),
    PHR_RESEARCH_1202(400, "The sql is one SELECT statement of at most 10000 characters"),
    PHR_RESEARCH_1203(400, "The row limit is out of range"),
    PHR_RESEARCH_1901(500, "The research data set table could not be written"),
    PHR_RESEARCH_1902(500, "The research data set table could not be read"),
    PHR_RESEARCH_1903(500, "A released data set's file cannot be read"),

    // TERM
    PHR_TERM_0001(500, "The terminology directory does not load"),
    PHR_TERM_0002(500, "Terminology loaded from"),

    // TOKEN
    PHR_TOKEN_0001(500, "Bad JWKS URI"),
    PHR_TOKEN_0002(500, "No bearer token"),
    PHR_TOKEN_0003(500, "The bearer token is not a JWT"),
    PHR_TOKEN_0004(500, "The bearer token was rejected"),
    PHR_TOKEN_0005(500, "The bearer token has malformed claims"),
    PHR_TOKEN_0010(500, "Interrupted"),
    PHR_TOKEN_0011(500, "Token endpoint answered HTTP"),
    PHR_TOKEN_0020(500, "The browser login did not end with an authorization code"),
    // TOOLS (command lines, never in the server)
    PHR_TOOLS_0601(500, "The QBFT network could not be written");

    private static final Pattern CODE = Pattern.compile("^(PHR-[A-Z0-9]+-\\d{4})\\b");
    private static final Map<String, PhrError> BY_CODE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(PhrError::code, Function.identity()));

    private final int status;
    private final String title;

    PhrError(int status, String title) {
        this.status = status;
        this.title = title;
    }

    /** @return the code as it appears in messages, e.g. {@code PHR-API-0421} */
    public String code() {
        return name().replace('_', '-');
    }

    /** @return the HTTP status of an answer that carries this code (RFC 9110 section 15) */
    public int status() {
        return status;
    }

    /** @return the short title of the problem type (RFC 9457 section 3.1.3) */
    public String title() {
        return title;
    }

    /** The entry of a code such as {@code PHR-API-0421}. */
    public static Optional<PhrError> of(String code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    /** The entry whose code starts {@code message} ({@code "PHR-API-0421: ..."}); empty when none does. */
    public static Optional<PhrError> ofMessage(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher m = CODE.matcher(message);
        return m.find() ? of(m.group(1)) : Optional.empty();
    }
}
