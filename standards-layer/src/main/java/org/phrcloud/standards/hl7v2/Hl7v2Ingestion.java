package org.phrcloud.standards.hl7v2;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.message.ADT_A01;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.message.RDE_O11;
import ca.uhn.hl7v2.model.v251.message.RDS_O13;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.NoValidation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.consent.policy.CallerScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * HL7 v2 messages in, FHIR resources stored, an ACK out: the path shared by the MLLP listener and
 * {@code POST /api/hl7v2}.
 *
 * <ol>
 *   <li>Parse (ER7, segments separated by CR, LF or CRLF) into the v2.5.1 canonical model (versions 2.3 to 2.6); what does not
 *       parse gets {@code AR} with ERR code 100/102 and the MSH-10 it could read.</li>
 *   <li>MSH-12 outside {@link #VERSIONS}: {@code AR} 203; a type other than those supported: {@code AR} 200/201.</li>
 *   <li>The sending facility (MSH-4 namespace id) must be an institution the sender speaks for ({@link Senders}); else
 *       {@code AR} 207.</li>
 *   <li>Exactly once: a message already processed (MSH-4 + MSH-10) gets its original ACK again, nothing is written.</li>
 *   <li>Mapped to one FHIR transaction Bundle ({@link OruR01Mapper}, {@link AdtMapper}, {@link PharmacyMapper}); a
 *       patient the sender may not write for (a care
 *       giver outside their institutions' patients) is {@code AR} 207; an unknown patient or bad field {@code AE} with ERR.</li>
 *   <li>Local codes get the codes the operator's ConceptMaps map them to ({@link LocalCodeTranslations}).</li>
 *   <li>Stored through HAPI's transaction, as the sender: authorship and ledger block, AuditEvent, in ONE database
 *       transaction with the message log row; {@code AA} only after that commit.</li>
 * </ol>
 * Source: HL7 v2.5.1 chapter 2 (control: MSH, MSA, ERR, original-mode acknowledgment), HL7 table 0357 (error codes).
 * Nothing of a message's content is logged (PHI): only type, control id and error codes.
 */
public class Hl7v2Ingestion {
    /** The HL7 v2 versions accepted (MSH-12). */
    public static final Set<String> VERSIONS = Set.of("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6");
    /** The message types supported (MSH-9.1 ^ MSH-9.2). */
    public static final Set<String> TYPES = Set.of("ORU^R01", "ADT^A01", "ADT^A04", "ADT^A08", "RDE^O11", "RDS^O13");
    private static final Logger LOG = LoggerFactory.getLogger(Hl7v2Ingestion.class);
    /** An ISO 8859 part in HL7 table 0211 ({@code 8859/1} ... {@code 8859/15}). */
    private static final java.util.regex.Pattern ISO_8859 = java.util.regex.Pattern.compile("8859/(\\d{1,2})");

    /** Who a message's sending facility speaks for. */
    @FunctionalInterface
    public interface Senders {
        /**
         * @param sendingFacility MSH-4 namespace id
         * @return the identity the message is stored as (its institution is the sending facility)
         * @throws HL7Exception when the sender may not send for this facility (an {@code AR} follows)
         */
        Caller as(String sendingFacility) throws HL7Exception;
    }

    /**
     * The refusal a {@link Senders} throws for a sending facility it does not speak for: ERR at MSH-4, code 207, which
     * makes the ACK {@code AR}.
     */
    public static HL7Exception refusedSender(String why) {
        return V2Datatypes.error(why, ErrorCode.APPLICATION_INTERNAL_ERROR, "MSH", 4);
    }

    private final HapiContext context;
    private final PipeParser parser;
    private final IFhirSystemDao<Bundle, ?> system;
    private final DaoRegistry daos;
    private final TransactionTemplate transactions;
    private final MessageLog log;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final LocalCodeTranslations translations;
    private final org.phrcloud.audit.Auditor auditor;

    @SuppressWarnings("unchecked")
    public Hl7v2Ingestion(IFhirSystemDao<Bundle, ?> system, DaoRegistry daos, PlatformTransactionManager transactionManager,
                          MessageLog log, MasterPatientIndex mpi, Clock clock, org.phrcloud.audit.Auditor auditor) {
        this.auditor = auditor;
        this.context = newContext();
        this.parser = context.getPipeParser();
        this.system = system;
        this.daos = daos;
        this.transactions = new TransactionTemplate(transactionManager);
        this.log = log;
        this.mpi = mpi;
        this.clock = clock;
        this.translations = new LocalCodeTranslations(system.getContext(),
                (ca.uhn.fhir.jpa.api.dao.IFhirResourceDaoConceptMap<org.hl7.fhir.r4.model.ConceptMap>) daos.getResourceDao("ConceptMap"));
    }

    /** A HAPI context reading every accepted version into the 2.5.1 model, without HAPI's own validation or id files. */
    public static HapiContext newContext() {
        HapiContext context = new DefaultHapiContext(new CanonicalModelClassFactory("2.5.1"));
        context.setValidationContext(new NoValidation());
        context.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        return context;
    }

    public HapiContext context() {
        return context;
    }

    /**
     * Processes one message.
     *
     * @param er7     the message, ER7 (pipe) encoding
     * @param senders who the sending facility speaks for
     * @return the ACK, ER7: MSA-1 {@code AA}, {@code AE} or {@code AR}, with an ERR segment when not {@code AA}
     */
    public String receive(String er7, Senders senders) {
        Message message;
        try {
            message = parser.parse(normalized(er7));
        } catch (HL7Exception e) {
            return reject(controlIdOf(er7), e);
        } catch (RuntimeException e) {
            return reject(controlIdOf(er7), new HL7Exception("the message could not be read", ErrorCode.SEGMENT_SEQUENCE_ERROR));
        }
        return receive(message, senders);
    }

    /** Processes a message the MLLP server already parsed with {@link #context()}. */
    public String receive(Message message, Senders senders) {
        MSH msh;
        try {
            msh = (MSH) message.get("MSH");
        } catch (HL7Exception e) {
            return reject("", e);
        }
        String version = msh.getVersionID().getVersionID().getValue();
        String type = msh.getMessageType().getMessageCode().getValue() + "^" + msh.getMessageType().getTriggerEvent().getValue();
        String facility = msh.getSendingFacility().getNamespaceID().getValue();
        String controlId = msh.getMessageControlID().getValue();
        String accepted;
        try {
            if (version == null || !VERSIONS.contains(version.strip())) {
                throw V2Datatypes.error("unsupported HL7 version " + version + "; accepted: 2.3 to 2.6", ErrorCode.UNSUPPORTED_VERSION_ID, "MSH", 12);
            }
            if (!TYPES.contains(type)) {
                throw V2Datatypes.error("unsupported message type " + type + "; supported: " + String.join(", ", TYPES),
                        msh.getMessageType().getMessageCode().getValue() != null && TYPES.stream().anyMatch(t -> t.startsWith(
                                msh.getMessageType().getMessageCode().getValue() + "^")) ? ErrorCode.UNSUPPORTED_EVENT_CODE
                                : ErrorCode.UNSUPPORTED_MESSAGE_TYPE, "MSH", 9);
            }
            if (facility == null || facility.isBlank()) {
                throw V2Datatypes.error("MSH-4 (sending facility) is required", ErrorCode.REQUIRED_FIELD_MISSING, "MSH", 4);
            }
            if (controlId == null || controlId.isBlank()) {
                throw V2Datatypes.error("MSH-10 (message control id) is required", ErrorCode.REQUIRED_FIELD_MISSING, "MSH", 10);
            }
            // known before anything is written: e.g. MSH-2 of five characters (v2.7's truncation character) parses,
            // but the ACK repeats the message's separators and cannot be encoded with them
            accepted = encodedAck(message, AcknowledgmentCode.AA, null).orElseThrow(() -> V2Datatypes.error(
                    "MSH-2 (encoding characters) must be the four characters of HL7 v2.3 to 2.6; no acknowledgment can be "
                    + "written with these", ErrorCode.DATA_TYPE_ERROR, "MSH", 2));
        } catch (HL7Exception e) {
            return ack(message, AcknowledgmentCode.AR, e);
        }
        Caller sender;
        try {
            sender = senders.as(facility);
        } catch (HL7Exception e) {
            return ack(message, AcknowledgmentCode.AR, e);
        }
        java.util.Optional<String> earlier = log.ackOf(facility, controlId);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Bundle bundle;
        try {
            bundle = map(message, type, facility, sender);
            translations.addTo(bundle);
        } catch (HL7Exception e) {
            LOG.info("PHR-HL7-0101: {} {} from {} refused: HL7 error {}", type, controlId, facility, e.getErrorCode());
            AcknowledgmentCode code = e.getError() == ErrorCode.APPLICATION_INTERNAL_ERROR ? AcknowledgmentCode.AR : AcknowledgmentCode.AE;
            auditor.refused(CallerContext.systemRequestAs(sender), "create", "HL7 v2 " + type + " " + controlId + " from " + facility + ": " + code.name() + " "
                    + e.getErrorCode() + " at " + e.getLocation(), Set.of(), null);
            return ack(message, code, e);
        }
        try {
            transactions.executeWithoutResult(status -> {
                system.transactionNested(CallerContext.systemRequestAs(sender), bundle);
                log.record(facility, controlId, type, accepted, clock.instant());
            });
            return accepted;
        } catch (MessageLog.DuplicateMessage e) {
            return log.ackOf(facility, controlId).orElseGet(() -> ack(message, AcknowledgmentCode.AE,
                    new HL7Exception("the message could not be stored; send it again", ErrorCode.APPLICATION_INTERNAL_ERROR)));
        } catch (BaseServerResponseException e) {
            LOG.warn("PHR-HL7-0102: {} {} from {} not stored: FHIR {} ", type, controlId, facility, e.getStatusCode());
            return ack(message, AcknowledgmentCode.AE, new HL7Exception("the resources could not be stored (FHIR " + e.getStatusCode() + ")",
                    ErrorCode.APPLICATION_INTERNAL_ERROR));
        } catch (RuntimeException e) {
            LOG.error("PHR-HL7-0103: {} {} from {} not stored", type, controlId, facility, e);
            return ack(message, AcknowledgmentCode.AE, new HL7Exception("the message could not be stored; send it again",
                    ErrorCode.APPLICATION_INTERNAL_ERROR));
        }
    }

    /** The FHIR transaction of a message of a supported type. */
    private Bundle map(Message message, String type, String facility, Caller sender) throws HL7Exception {
        return map(message, type, facility, identifiers -> patientId(identifiers, sender), identifiers -> existing(identifiers, sender));
    }

    /**
     * The FHIR transaction of a message of a supported type (MSH-9 {@code type}, e.g. {@code ADT^A08}), with the
     * patients it names found by {@code known} (ORU, RDE, RDS: must exist) or {@code existing} (ADT: may be new).
     *
     * @throws HL7Exception what the message cannot become, with its ERR location and code (an {@code AE} or {@code AR})
     */
    static Bundle map(Message message, String type, String facility, OruR01Mapper.PatientResolver known,
            AdtMapper.ExistingPatient existing) throws HL7Exception {
        if (message instanceof ORU_R01 oru) {
            return OruR01Mapper.map(oru, known, facility);
        }
        if (message instanceof ADT_A01 adt) {
            return AdtMapper.map(adt, type.substring(4), existing, facility);
        }
        if (message instanceof RDE_O11 rde) {
            return PharmacyMapper.orders(rde, known, facility);
        }
        if (message instanceof RDS_O13 rds) {
            return PharmacyMapper.dispenses(rds, known, facility);
        }
        throw V2Datatypes.error("the message's structure does not fit its type " + type, ErrorCode.UNSUPPORTED_MESSAGE_TYPE, "MSH", 9);
    }

    /** The one FHIR Patient PID-3 names, which the sender may write for. */
    private String patientId(List<Identifier> identifiers, Caller sender) throws HL7Exception {
        String patientId = find(identifiers).orElseThrow(() -> V2Datatypes.error("unknown patient: no Patient has the PID-3 identifiers",
                ErrorCode.UNKNOWN_KEY_IDENTIFIER, "PID", 3));
        mayWrite(patientId, sender);
        return patientId;
    }

    /** The Patient PID-3 names, if any (an ADT updates it, else creates one). */
    private java.util.Optional<Patient> existing(List<Identifier> identifiers, Caller sender) throws HL7Exception {
        java.util.Optional<String> id = find(identifiers);
        if (id.isEmpty()) {
            return java.util.Optional.empty();
        }
        mayWrite(id.get(), sender);
        return java.util.Optional.of(daos.getResourceDao(Patient.class).read(new org.hl7.fhir.r4.model.IdType("Patient", id.get()),
                new SystemRequestDetails()));
    }

    /** A care giver writes only for their institutions' patients (as on /fhir); institution systems for all. */
    private void mayWrite(String patientId, Caller sender) throws HL7Exception {
        if (!sender.serviceAccount() && !CallerScope.resolve(sender, mpi).patientIds().contains(patientId)) {
            throw V2Datatypes.error("the sender may not write for this patient", ErrorCode.APPLICATION_INTERNAL_ERROR, "PID", 3);
        }
    }

    /** The Patient PID-3's identifiers name: none, one, or DUPLICATE_KEY_IDENTIFIER for more. */
    private java.util.Optional<String> find(List<Identifier> identifiers) throws HL7Exception {
        ca.uhn.fhir.rest.param.TokenOrListParam any = new ca.uhn.fhir.rest.param.TokenOrListParam();
        identifiers.forEach(identifier -> any.add(new TokenParam(identifier.getSystem(), identifier.getValue())));
        IBundleProvider hits = daos.getResourceDao(Patient.class).search(SearchParameterMap.newSynchronous().add("identifier", any),
                new SystemRequestDetails());
        Set<String> found = new java.util.LinkedHashSet<>();
        hits.getAllResourceIds().forEach(id -> found.add(id.contains("/") ? new org.hl7.fhir.r4.model.IdType(id).getIdPart() : id));
        if (found.size() > 1) {
            throw V2Datatypes.error("the PID-3 identifiers name more than one Patient", ErrorCode.DUPLICATE_KEY_IDENTIFIER, "PID", 3);
        }
        return found.stream().findFirst();
    }

    /**
     * The message with every segment terminator as CR, the ER7 separator (HL7 v2.5.1 section 2.5.1): LF and CRLF line
     * ends of files and HTTP bodies accepted.
     */
    static String normalized(String er7) {
        return er7 == null ? "" : er7.strip().replace("\r\n", "\r").replace('\n', '\r');
    }

    /**
     * The ACK of a message (HAPI's {@code generateACK}: the message's separators, MSH-3/4 and -5/6 swapped, MSA-2 its
     * MSH-10); when that cannot be encoded, an {@code AR} built from scratch that still names the message's MSH-10.
     */
    private String ack(Message message, AcknowledgmentCode code, HL7Exception error) {
        return encodedAck(message, code, error).orElseGet(() -> reject(controlIdOf(message), error != null ? error
                : new HL7Exception("the acknowledgment could not be made", ErrorCode.APPLICATION_INTERNAL_ERROR)));
    }

    /** The ACK HAPI generates for the message, ER7; empty when it cannot be generated or encoded. */
    private java.util.Optional<String> encodedAck(Message message, AcknowledgmentCode code, HL7Exception error) {
        try {
            return java.util.Optional.of(parser.encode(message.generateACK(code, error)));
        } catch (HL7Exception | java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** MSH-10 of a parsed message, or empty. */
    private static String controlIdOf(Message message) {
        try {
            String controlId = ((MSH) message.get("MSH")).getMessageControlID().getValue();
            return controlId == null ? "" : controlId;
        } catch (HL7Exception | RuntimeException e) {
            return "";
        }
    }

    /**
     * Processes a message or a batch (HL7 v2.5.1 section 2.10.3, batch protocol: {@code [FHS] BHS {MSH...} BTS [FTS]}):
     * each message of a batch is processed on its own, as {@link #receive(String, Senders)} (one that fails gets its
     * {@code AE}/{@code AR} and the rest go on), and the answer is a batch of their ACKs in the same order, under an
     * {@code FHS}/{@code BHS} whose reference control id (FHS-12/BHS-12) is the sender's (FHS-11/BHS-11), closed by
     * {@code BTS} (number of ACKs) and {@code FTS}.
     *
     * @param er7 one message, or a batch file starting with FHS or BHS
     * @return the ACK, or the batch of ACKs
     */
    public String receiveAll(String er7, Senders senders) {
        String text = normalized(er7);
        boolean file = text.startsWith("FHS");
        if (!file && !text.startsWith("BHS")) {
            return receive(er7, senders);
        }
        List<String> acks = new ArrayList<>();
        ca.uhn.hl7v2.util.Hl7InputStreamMessageStringIterator messages =
                new ca.uhn.hl7v2.util.Hl7InputStreamMessageStringIterator(new java.io.StringReader(text));
        while (messages.hasNext()) {
            acks.add(normalized(receive(messages.next(), senders)));
        }
        String[] lines = text.split("\r");
        String fhs = file ? lines[0] : null;
        String bhs = java.util.Arrays.stream(lines).filter(l -> l.startsWith("BHS")).findFirst().orElse(null);
        String now = new java.text.SimpleDateFormat("yyyyMMddHHmmssZ").format(java.util.Date.from(clock.instant()));
        StringBuilder out = new StringBuilder();
        if (fhs != null) {
            out.append(batchHeader("FHS", fhs, now)).append('\r');
        }
        if (bhs != null) {
            out.append(batchHeader("BHS", bhs, now)).append('\r');
        }
        acks.forEach(a -> out.append(a).append('\r'));
        if (bhs != null) {
            out.append("BTS|").append(acks.size()).append('\r');
        }
        if (fhs != null) {
            out.append("FTS|1").append('\r');
        }
        return out.toString();
    }

    /** Our FHS/BHS answering the sender's: we are the sender now, they the receiver; field 12 refers to their field 11. */
    private static String batchHeader(String name, String theirs, String now) {
        String[] f = theirs.length() > 3 ? theirs.split(java.util.regex.Pattern.quote(String.valueOf(theirs.charAt(3))), -1) : new String[0];
        String encoding = f.length > 1 ? f[1] : "^~\\&";
        String theirApplication = f.length > 2 ? f[2] : "";
        String theirFacility = f.length > 3 ? f[3] : "";
        String theirControlId = f.length > 10 ? f[10] : "";
        return String.join("|", name, encoding, "PHR", "PHR", theirApplication, theirFacility, now, "", "", "", "",
                java.util.UUID.randomUUID().toString().substring(0, 20), theirControlId);
    }

    /**
     * The character set a message declares in MSH-18 (HL7 table 0211: {@code ASCII}, {@code 8859/1} to {@code 8859/9},
     * {@code 8859/15}, {@code UNICODE UTF-8}, {@code UNICODE UTF-16}, {@code UNICODE UTF-32}, {@code ISO IR6} (ASCII),
     * {@code ISO IR14} (JIS X 0201), {@code GB 18030-2000}, {@code KS X 1001} (as EUC-KR), {@code CNS 11643-1992} (as
     * EUC-TW), {@code BIG-5}), read from its raw bytes (the MSH segment is ASCII in every one of them); {@code fallback}
     * when none is declared or it is not one of these. The first repetition is the message's default set; a later
     * repetition names a set the text switches to with ISO 2022 escape sequences (HL7 v2.5.1 section 2.15.9.18): after
     * a 7-bit default (ASCII, {@code ISO IR6}, {@code ISO IR14}), with {@code ISO IR87} (JIS X 0208) the message is read
     * as ISO-2022-JP, with {@code ISO IR159} (JIS X 0212) as ISO-2022-JP-2, which switch sets at each escape.
     */
    public static java.nio.charset.Charset charsetOf(byte[] message, java.nio.charset.Charset fallback) {
        String head = new String(message, 0, Math.min(message.length, 4096), java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = head.indexOf("MSH");
        if (at < 0 || head.length() < at + 8) {
            return fallback;
        }
        String msh = head.substring(at).split("[\r\n]", 2)[0];
        if (msh.length() < 4) {
            return fallback;
        }
        String[] fields = msh.split(java.util.regex.Pattern.quote(String.valueOf(msh.charAt(3))), -1);
        if (fields.length < 18) {
            return fallback;
        }
        char repetition = fields[1].length() > 1 ? fields[1].charAt(1) : '~';
        String[] repetitions = fields[17].split(java.util.regex.Pattern.quote(String.valueOf(repetition)));
        if (repetitions.length == 0) {
            return fallback; // MSH-18 only repetition separators
        }
        String declared = repetitions[0].strip().toUpperCase(java.util.Locale.ROOT);
        java.util.Set<String> switched = java.util.Arrays.stream(repetitions).skip(1).map(r -> r.strip().toUpperCase(java.util.Locale.ROOT))
                .collect(java.util.stream.Collectors.toSet());
        boolean sevenBitDefault = java.util.Set.of("", "ASCII", "ISO IR6", "ISO IR14").contains(declared);
        if (sevenBitDefault && switched.contains("ISO IR159")) {
            return java.nio.charset.Charset.forName("ISO-2022-JP-2");
        }
        if (sevenBitDefault && switched.contains("ISO IR87")) {
            return java.nio.charset.Charset.forName("ISO-2022-JP");
        }
        java.util.regex.Matcher iso = ISO_8859.matcher(declared);
        if (iso.matches()) {
            try {
                return java.nio.charset.Charset.forName("ISO-8859-" + iso.group(1));
            } catch (IllegalArgumentException noSuchPart) {
                return fallback;
            }
        }
        return switch (declared) {
            case "ASCII", "ISO IR6" -> java.nio.charset.StandardCharsets.US_ASCII;
            case "ISO IR14" -> java.nio.charset.Charset.forName("JIS_X0201");
            case "GB 18030-2000" -> java.nio.charset.Charset.forName("GB18030");
            case "KS X 1001" -> java.nio.charset.Charset.forName("EUC-KR");
            case "CNS 11643-1992" -> java.nio.charset.Charset.forName("x-EUC-TW");
            case "BIG-5" -> java.nio.charset.Charset.forName("Big5");
            case "UNICODE UTF-8" -> java.nio.charset.StandardCharsets.UTF_8;
            case "UNICODE UTF-16" -> java.nio.charset.StandardCharsets.UTF_16;
            case "UNICODE UTF-32" -> java.nio.charset.Charset.forName("UTF-32");
            default -> fallback;
        };
    }

    /** {@code AR} built from scratch (for what did not parse, or whose own ACK cannot be encoded), MSA-2 {@code controlId}. */
    private String reject(String controlId, HL7Exception error) {
        try {
            ACK ack = new ACK(context.getModelClassFactory());
            ack.setParser(parser);
            ack.initQuickstart("ACK", null, "P");
            ack.getMSA().getAcknowledgmentCode().setValue(AcknowledgmentCode.AR.name());
            ack.getMSA().getMessageControlID().setValue(controlId);
            // a copy: HAPI's exception keeps the first response it populated (an ACK that could not be encoded, say)
            HL7Exception fresh = new HL7Exception(error.getMessageWithoutLocation(), error.getError());
            fresh.setLocation(error.getLocation());
            fresh.populateResponse(ack, AcknowledgmentCode.AR, 0);
            return parser.encode(ack);
        } catch (HL7Exception | java.io.IOException e) {
            throw new IllegalStateException("PHR-HL7-0903: an acknowledgment could not be built", e);
        }
    }

    /** MSH-10 of a message that does not parse, when its MSH can be read; else empty. */
    private static String controlIdOf(String er7) {
        if (er7 == null) {
            return "";
        }
        String text = normalized(er7);
        if (!text.startsWith("MSH") || text.length() < 4) {
            return "";
        }
        String first = text.split("\r", 2)[0];
        String[] fields = first.split(java.util.regex.Pattern.quote(String.valueOf(first.charAt(3))), -1);
        return fields.length > 9 ? fields[9] : "";
    }
}
