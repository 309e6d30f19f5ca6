package org.phrcloud.research.dataset;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.phrcloud.research.anonymization.Table;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of one released data set, in its own folder: a database of its own ({@code release.mv.db}, H2, one table
 * {@code RECORDS}), {@code records.csv} (RFC 4180, a header line), {@code records.ndjson} (FHIR R4 resources, one per
 * line, the Bulk Data NDJSON format) and {@code provenance.json}.
 *
 * <p>The database is written by an owner whose random password is thrown away once it is written; the researcher's
 * queries run as user {@code RESEARCHER}, which may only {@code SELECT} from {@code RECORDS}, on a connection opened
 * read-only ({@code ACCESS_MODE_DATA=r}), with a row limit and a timeout. H2 functions that reach the file system or
 * other databases ({@code FILE_READ}, {@code CSVREAD}, {@code LINK_SCHEMA}, {@code CREATE ALIAS}) need admin rights,
 * which that user does not have.
 */
public final class ReleaseFiles {
    public static final String CSV = "records.csv";
    public static final String NDJSON = "records.ndjson";
    public static final String PROVENANCE = "provenance.json";
    /** The most rows one query returns. */
    public static final int MAX_ROWS = 1000;
    /** Seconds a query may run. */
    public static final int QUERY_TIMEOUT_SECONDS = 10;
    /** Extension on an exported Patient: one released attribute (name and value as released). */
    public static final String ATTRIBUTE_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/research-attribute";

    /**
     * What a query returned.
     *
     * @param truncated true when the query had more rows than the limit
     */
    public record QueryResult(List<String> columns, List<List<String>> rows, boolean truncated) {
    }

    private ReleaseFiles() {
    }

    /**
     * Writes the database and the CSV export of a release.
     *
     * @return the password of user {@code RESEARCHER} (64 hex characters)
     */
    public static String writeDatabase(Path folder, Table release) throws IOException {
        Files.createDirectories(folder);
        String owner = randomHex();
        String researcher = randomHex();
        try (Connection c = connect(url(folder, false), "OWNER", owner); Statement s = c.createStatement()) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE RECORDS (");
            for (int i = 0; i < release.columns().size(); i++) {
                // quoted upper case: a name that is an SQL keyword still works, and unquoted queries find it
                ddl.append(i == 0 ? "" : ", ").append('"').append(release.columns().get(i).toUpperCase(java.util.Locale.ROOT))
                        .append("\" VARCHAR(1000)");
            }
            s.execute(ddl.append(")").toString());
            String insert = "INSERT INTO RECORDS VALUES (" + String.join(", ", java.util.Collections.nCopies(release.columns().size(), "?")) + ")";
            try (PreparedStatement p = c.prepareStatement(insert)) {
                for (List<String> row : release.rows()) {
                    for (int i = 0; i < row.size(); i++) {
                        p.setString(i + 1, row.get(i));
                    }
                    p.addBatch();
                }
                p.executeBatch();
            }
            // hex only: safe inside the literal
            s.execute("CREATE USER RESEARCHER PASSWORD '" + researcher + "'");
            s.execute("GRANT SELECT ON RECORDS TO RESEARCHER");
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            throw new IOException("PHR-RESEARCH-1111: the release database could not be written", e);
        }
        try (Writer w = Files.newBufferedWriter(folder.resolve(CSV), StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.RFC4180.builder().setHeader(release.columns().toArray(String[]::new)).build())) {
            for (List<String> row : release.rows()) {
                csv.printRecord(row);
            }
        }
        return researcher;
    }

    /**
     * Writes the FHIR NDJSON export: per record a Patient (id {@code r<n>}, the research pseudonym as identifier, gender
     * when sex is released ungeneralized, every attribute as extension {@value #ATTRIBUTE_EXTENSION}), a Condition per
     * condition attribute whose code is released as is, and an Observation per observation attribute (valueQuantity when
     * the number is released as is, else valueString with the released range).
     */
    public static void writeNdjson(Path folder, String dataSetId, Table release, DataSetRequest request, Extraction.Result extracted,
                                   FhirContext fhir) throws IOException {
        IParser json = fhir.newJsonParser().setPrettyPrint(false);
        try (Writer w = Files.newBufferedWriter(folder.resolve(NDJSON), StandardCharsets.UTF_8)) {
            for (int n = 0; n < release.size(); n++) {
                List<String> row = release.rows().get(n);
                Patient p = new Patient();
                p.setId("r" + (n + 1));
                List<String> lines = new ArrayList<>();
                for (DataSetRequest.Attribute a : request.attributes()) {
                    String value = row.get(release.index(a.name()));
                    Extension attribute = new Extension(ATTRIBUTE_EXTENSION);
                    attribute.addExtension("name", new StringType(a.name()));
                    attribute.addExtension("value", new StringType(value));
                    p.addExtension(attribute);
                    Reference subject = new Reference("Patient/" + p.getIdPart());
                    switch (a.source()) {
                        case "pseudonym" -> p.addIdentifier(new Identifier().setSystem("urn:phr:research:" + dataSetId).setValue(value));
                        case "sex" -> {
                            try {
                                p.setGender(Enumerations.AdministrativeGender.fromCode(value));
                            } catch (org.hl7.fhir.exceptions.FHIRException generalized) {
                                // released generalized: in the extension only
                            }
                        }
                        case "condition" -> {
                            String system = extracted.codeSystems().get(value);
                            if (system != null) {
                                Condition c = new Condition();
                                c.setId("r" + (n + 1) + "-" + a.name());
                                c.setSubject(subject).setCode(new CodeableConcept(new Coding(system, value, null)));
                                lines.add(json.encodeResourceToString(c));
                            }
                        }
                        default -> {
                            if (a.source().startsWith("observation:")) {
                                String[] code = a.observationCode();
                                Observation o = new Observation();
                                o.setId("r" + (n + 1) + "-" + a.name());
                                o.setStatus(Observation.ObservationStatus.FINAL).setSubject(subject)
                                        .setCode(new CodeableConcept(new Coding(code[0], code[1], null)));
                                try {
                                    Quantity q = new Quantity().setValue(new BigDecimal(value));
                                    String unit = extracted.units().get(a.name());
                                    if (unit != null) {
                                        q.setUnit(unit).setSystem("http://unitsofmeasure.org").setCode(unit);
                                    }
                                    o.setValue(q);
                                } catch (NumberFormatException generalized) {
                                    o.setValue(new StringType(value));
                                }
                                lines.add(json.encodeResourceToString(o));
                            }
                        }
                    }
                }
                w.write(json.encodeResourceToString(p));
                w.write('\n');
                for (String line : lines) {
                    w.write(line);
                    w.write('\n');
                }
            }
        }
    }

    /**
     * Runs a researcher's query on the release database, as user {@code RESEARCHER}, read-only.
     *
     * @param limit 1 to {@value #MAX_ROWS}
     * @throws ResearchException INVALID with the database's error for a statement that is not a query, is not allowed
     *                           or does not run
     */
    public static QueryResult query(Path folder, String password, String sql, int limit) {
        try (Connection c = connect(url(folder, true), "RESEARCHER", password)) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                s.setMaxRows(limit + 1);
                s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                try (ResultSet r = s.executeQuery(sql)) {
                    ResultSetMetaData meta = r.getMetaData();
                    List<String> columns = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        columns.add(meta.getColumnLabel(i));
                    }
                    List<List<String>> rows = new ArrayList<>();
                    boolean truncated = false;
                    while (r.next()) {
                        if (rows.size() == limit) {
                            truncated = true;
                            break;
                        }
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= columns.size(); i++) {
                            row.add(r.getString(i));
                        }
                        rows.add(row);
                    }
                    return new QueryResult(columns, rows, truncated);
                }
            }
        } catch (SQLException e) {
            throw DataSetRequest.invalid("PHR-RESEARCH-1201: the query did not run: " + firstLine(e.getMessage()));
        }
    }

    /** SHA-256 of a file, lowercase hex. */
    public static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** The hashes of the exports, by file name. */
    public static Map<String, String> hashes(Path folder) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String name : List.of(CSV, NDJSON)) {
            hashes.put(name, sha256(folder.resolve(name)));
        }
        return hashes;
    }

    /** The H2 driver directly: DriverManager's class loader checks do not always see it in an application server. */
    private static Connection connect(String url, String user, String password) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return new org.h2.Driver().connect(url, p);
    }

    private static String url(Path folder, boolean readOnly) {
        return "jdbc:h2:file:" + folder.toAbsolutePath().resolve("release") + (readOnly ? ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE" : "");
    }

    private static String randomHex() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
