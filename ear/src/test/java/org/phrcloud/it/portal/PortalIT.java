package org.phrcloud.it.portal;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.phrcloud.tools.BrowserLogin;
import org.phrcloud.it.support.Browser;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Custodian;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.phrcloud.it.support.Calls.json;

/**
 * The portal in a real browser (headless Chromium) on the real platform: every login goes through Keycloak's pages with
 * the password and then the TOTP code. A patient whose login is linked to a Synthea patient sees their history and a
 * plot and takes their key file; a practitioner is refused a North Clinic patient's record, asks, the patient approves
 * by signing in the browser with their key file, the practitioner then reads it and the patient sees that read in
 * "who accessed my record"; a practitioner adds an observation the patient sees; an emergency access shows up for the
 * patient; a researcher makes a study, requests a data set and downloads it after the progress bar completes; the
 * admin sees anchoring health. Screenshots of each main page go to {@code target/it/screenshots}.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalIT {
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    private static final String PASSPHRASE = "portal browser test passphrase";
    private static final String SYNTHEA_LOGIN = Platform.extraPatient(22);
    private static final String CONSENT_LOGIN = Platform.extraPatient(23);

    private static Platform platform;
    private static Calls calls;
    private static Path work;
    /** The Synthea patient of {@link #SYNTHEA_LOGIN}, at St Mary (the demo care givers' institution). */
    private static String syntheaPatientId;
    /** How many Observations that patient has: Synthea's and {@link #OLD_HEART_RATES} older ones. */
    private static int syntheaObservations;
    private static final int OLD_HEART_RATES = 305;
    /** The North Clinic patient of {@link #CONSENT_LOGIN}: identifier, FHIR id, key file on disk. */
    private static String consentIdentifier;
    private static Path consentKeyFile;
    private static String consentPseudonym;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void patients() throws Exception {
        assumeTrue(Browser.available(), "no headless browser here (apt-get install chromium chromium-driver): the portal's browser tests are skipped");
        platform = PlatformExtension.platform();
        calls = new Calls(platform);
        work = Path.of(System.getProperty("phr.it.work.dir", "target/it"));
        platform.loadSyntheaOnce(FhirContext.forR4Cached());
        String system = platform.serviceToken();
        String admin = calls.token("demo-admin", "2");

        // the Synthea patient with the most observations among the first ten gets SYNTHEA_LOGIN
        JsonNode patients = json(calls.fhir("GET", "/Patient?identifier=https://github.com/synthetichealth/synthea%7C&_sort=_id&_count=10", system, null));
        int most = -1;
        for (JsonNode e : patients.path("entry")) {
            String id = e.path("resource").path("id").asText();
            int observations = json(calls.fhir("GET", "/Observation?patient=" + id + "&_summary=count", system, null)).path("total").asInt();
            if (observations > most) {
                most = observations;
                syntheaPatientId = id;
            }
        }
        assertThat(most).as("observations of the chosen Synthea patient").isGreaterThan(10);
        // 305 heart rates years before the Synthea history, so the record has more than 300 observations to page through;
        // the oldest is on 2001-01-01
        StringBuilder older = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        for (int i = 0; i < OLD_HEART_RATES; i++) {
            older.append(i == 0 ? "" : ",").append(entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\","
                    + "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":\"Heart rate\"}]},"
                    + "\"subject\":{\"reference\":\"Patient/" + syntheaPatientId + "\"},\"effectiveDateTime\":\""
                    + java.time.LocalDate.of(2001, 1, 1).plusDays(i) + "T09:00:00Z\",\"valueQuantity\":{\"value\":" + (60 + i % 20)
                    + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}"));
        }
        HttpResponse<String> olderWritten = calls.fhir("POST", "", system, older.append("]}").toString());
        assertThat(olderWritten.statusCode()).as(olderWritten.body()).isEqualTo(200);
        syntheaObservations = most + OLD_HEART_RATES;
        String pseudonym = json(calls.api("GET", "/identity/patients?patientId=" + syntheaPatientId, system, null)).path("pseudonym").asText();
        link(pseudonym, SYNTHEA_LOGIN, admin);

        // a North Clinic patient (not a patient of the demo care givers' institution) with seven glucose values
        consentIdentifier = "PORTAL-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"north-clinic\","
                + "\"passphrase\":\"" + PASSPHRASE + "\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID
                + "\",\"value\":\"" + consentIdentifier + "\"}],\"family\":\"Portalova\",\"given\":[\"Vera\"],\"birthDate\":\"1969-03-14\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        consentKeyFile = Files.createDirectories(work.resolve("browser")).resolve("portal-patient-key.json");
        Files.writeString(consentKeyFile, json(registered).path("keyFile").toString());
        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        StringBuilder tx = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        tx.append(entry(patientUrl, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID
                + "\",\"value\":\"" + consentIdentifier + "\"}],\"name\":[{\"family\":\"Portalova\",\"given\":[\"Vera\"]}],\"gender\":\"female\",\"birthDate\":\"1969-03-14\"}"));
        // an allergy to aspirin of high criticality, and a blood pressure stored diastolic first (as Synthea stores it)
        tx.append(",").append(entry("urn:uuid:" + UUID.randomUUID(), "AllergyIntolerance", "{\"resourceType\":\"AllergyIntolerance\","
                + "\"clinicalStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical\",\"code\":\"active\"}]},"
                + "\"verificationStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification\",\"code\":\"confirmed\"}]},"
                + "\"category\":[\"medication\"],\"criticality\":\"high\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"387458008\","
                + "\"display\":\"Aspirin\"}]},\"patient\":{\"reference\":\"" + patientUrl + "\"},\"recordedDate\":\"2012-01-09\"}"));
        tx.append(",").append(entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"vital-signs\"}]}],"
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\",\"display\":\"Blood pressure panel\"}]},"
                + "\"subject\":{\"reference\":\"" + patientUrl + "\"},\"effectiveDateTime\":\"2026-02-10T08:00:00Z\",\"component\":["
                + "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\",\"display\":\"Diastolic blood pressure\"}]},"
                + "\"valueQuantity\":{\"value\":92,\"unit\":\"mm[Hg]\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"}},"
                + "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\",\"display\":\"Systolic blood pressure\"}]},"
                + "\"valueQuantity\":{\"value\":130,\"unit\":\"mm[Hg]\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"}}]}"));
        for (int day = 1; day <= 7; day++) {
            tx.append(",").append(entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\","
                    + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"2339-0\",\"display\":\"Glucose\"}]},"
                    + "\"subject\":{\"reference\":\"" + patientUrl + "\"},\"effectiveDateTime\":\"2026-02-0" + day + "T08:00:00Z\","
                    + "\"valueQuantity\":{\"value\":" + (88 + 3 * day) + ",\"unit\":\"mg/dL\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mg/dL\"}}"));
        }
        tx.append("]}");
        HttpResponse<String> written = calls.fhir("POST", "", system, tx.toString());
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        consentPseudonym = json(registered).path("identity").path("pseudonym").asText();
        link(consentPseudonym, CONSENT_LOGIN, admin);
    }

    private static void link(String pseudonym, String login, String admin) throws Exception {
        String sub = BrowserLogin.claims(calls.token(login, "1")).path("sub").asText();
        HttpResponse<String> r = calls.api("PUT", "/identity/patients/" + pseudonym + "/login", admin, "{\"keycloakUserId\":\"" + sub + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    private static String entry(String fullUrl, String type, String resource) {
        return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\",\"url\":\"" + type + "\"}}";
    }

    private static Browser open(String username) throws Exception {
        Browser b = new Browser(work);
        try {
            b.login(platform.portalUrl() + "/", platform.realm().user(username));
            return b;
        } catch (RuntimeException e) {
            b.screenshot("login-failed-" + username);
            b.close();
            throw e;
        }
    }

    @Test
    @Order(1)
    void aPatientLogsInWithPasswordAndTotpSeesTheirSyntheaHistoryWithAPlotAndTakesTheirKeyFile() throws Exception {
        try (Browser b = open(SYNTHEA_LOGIN)) {
            assertThat(b.driver().getCurrentUrl()).endsWith("/portal/patient/record.xhtml");
            assertThat(b.find(By.id("signed-in-as")).getText()).isEqualTo(SYNTHEA_LOGIN);
            assertThat(b.find(By.linkText("My health record")).getAttribute("aria-current")).isEqualTo("page");
            assertThat(b.find(By.linkText("Access requests")).getAttribute("aria-current")).isEqualTo("false");
            List<WebElement> rows = b.all(By.cssSelector("#records\\:timeline tbody tr"));
            assertThat(rows.size()).as("timeline rows").isGreaterThan(10);
            String kinds = b.find(By.id("records:timeline")).getText();
            assertThat(kinds).contains("Visit").contains("Result").contains("Condition");
            JsonNode fhirPatient = json(calls.fhir("GET", "/Patient/" + syntheaPatientId, platform.serviceToken(), null));
            assertThat(b.find(By.id("patient-banner")).getText()).contains(fhirPatient.path("name").path(0).path("family").asText())
                    .contains("born " + fhirPatient.path("birthDate").asText());
            assertThat(b.find(By.id("vital-signs")).getText()).contains("Heart rate");
            // the chart (Apache ECharts, SVG): drawn, with the same values as its table, dates on the time axis
            b.waitFor(By.cssSelector("#series-chart svg"));
            int values = b.all(By.cssSelector("#series-table tbody tr")).size();
            assertThat(values).as("charted values").isGreaterThanOrEqualTo(2);
            assertThat(b.find(By.className("plot-label")).getText()).contains(values + " values");
            Object axisTexts = ((JavascriptExecutor) b.driver()).executeScript(
                    "return Array.from(document.querySelectorAll('#series-chart svg text')).map(t => t.textContent).join(' ');");
            assertThat(String.valueOf(axisTexts)).as("dates on the time axis").containsPattern("20\\d\\d-\\d\\d-\\d\\d");
            b.screenshot("patient-record-desktop");

            // integrity: the whole chain verified, one record's proof on demand, the record downloaded with its chain
            b.find(By.id("integrity:verify")).click();
            b.waitForText(By.id("verification"), "Intact");
            b.find(By.cssSelector("#records\\:timeline tbody tr a[id$='show-proof']")).click();
            // the proof's status in words; its details (Merkle root, transaction) folded behind a disclosure
            WebElement proof = b.waitFor(By.cssSelector("#records\\:timeline details.proof"));
            assertThat(proof.getText()).isIn("In your chain and anchored on the blockchain", "In your chain, waiting for its anchor");
            assertThat(proof.findElement(By.className("proof-details")).isDisplayed()).isFalse();
            proof.findElement(By.tagName("summary")).click();
            assertThat(proof.findElement(By.className("proof-details")).getText()).startsWith("Version ")
                    .containsAnyOf("Merkle root", "anchored in the next round");
            Map<String, String> files = new HashMap<>();
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(b.fetchBytes(b.find(By.id("download-record")))))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    files.put(e.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertThat(files).containsKeys("record-bundle.json", "chain.json", "keys.json", "README.txt");
            JsonNode bundle = new com.fasterxml.jackson.databind.ObjectMapper().readTree(files.get("record-bundle.json"));
            assertThat(bundle.path("resourceType").asText()).isEqualTo("Bundle");
            assertThat(bundle.path("entry").size()).isGreaterThan(rows.size() / 2);
            assertThat(files.get("chain.json")).contains(json(calls.api("GET", "/identity/patients?patientId=" + syntheaPatientId,
                    platform.serviceToken(), null)).path("pseudonym").asText());

            b.size(Browser.PHONE);
            b.driver().navigate().refresh();
            b.waitFor(By.id("records:timeline"));
            b.screenshot("patient-record-phone");
            Object overflow = ((JavascriptExecutor) b.driver()).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(((Number) overflow).intValue()).as("no sideways scrolling on a phone").isLessThanOrEqualTo(0);
            b.size(Browser.DESKTOP);

            // filter: observations only
            for (WebElement box : b.all(By.cssSelector("#filter\\:types input[type=checkbox]"))) {
                if (box.isSelected() != "Observation".equals(box.getAttribute("value"))) {
                    box.click();
                }
            }
            b.clickAndWait(By.id("filter:apply"));
            List<String> kindsAfter = new ArrayList<>();
            b.all(By.cssSelector("#records\\:timeline tbody tr td:nth-child(2)")).forEach(td -> kindsAfter.add(td.getText()));
            assertThat(kindsAfter).isNotEmpty().containsOnly("Result");
            // more than 300 observations: a page at a time, each page older, until the oldest of 2001-01-01
            assertThat(b.find(By.id("count")).getText()).isEqualTo("100 of " + syntheaObservations + " entries shown, newest first");
            assertThat(b.find(By.id("records:timeline")).getText()).doesNotContain("2001-01-01");
            int pages = 1;
            while (!b.all(By.cssSelector("#more input[type=submit]")).isEmpty()) {
                assertThat(b.find(By.cssSelector("#more input[type=submit]")).getAttribute("value"))
                        .isEqualTo("Show older results and measurements (" + Math.min(100 * pages, syntheaObservations) + " of "
                                + syntheaObservations + " shown)");
                b.clickAndWait(By.cssSelector("#more input[type=submit]"));
                pages++;
            }
            assertThat(pages).isEqualTo((syntheaObservations + 99) / 100);
            assertThat(b.find(By.id("count")).getText()).isEqualTo(syntheaObservations + " of " + syntheaObservations + " entries shown, newest first");
            List<WebElement> last = b.all(By.cssSelector("#records\\:timeline tbody tr"));
            assertThat(last.get(last.size() - 1).getText()).startsWith("2001-01-01").contains("Heart rate").contains("60 /min");
            // search within what is read: the heart rates of the first days of 2001
            b.find(By.id("find:words")).sendKeys("heart rate 2001-01-0");
            b.find(By.id("find:search")).click();
            b.waitForText(By.id("matches"), "9 of the " + syntheaObservations + " entries read so far match");
            assertThat(b.all(By.cssSelector("#records\\:timeline tbody tr"))).hasSize(9)
                    .allSatisfy(row -> assertThat(row.getText()).startsWith("2001-01-0").contains("Heart rate"));

            b.clickAndWait(By.linkText("My key"));
            b.find(By.id("keyform:passphrase")).sendKeys(PASSPHRASE);
            String keyFileText = b.submitForFile(b.find(By.id("keyform")), b.find(By.id("keyform:download")));
            JsonNode keyFile = new com.fasterxml.jackson.databind.ObjectMapper().readTree(keyFileText);
            assertThat(keyFile.path("format").asText()).isEqualTo("phr-patient-key");
            assertThat(keyFile.path("kdf").path("iterations").asInt()).isEqualTo(600_000);
            b.driver().navigate().refresh();
            b.waitFor(By.id("key-state"));
        }
    }

    @Test
    @Order(2)
    void aPractitionerIsRefusedAsksAndReadsOnceThePatientSignsTheirApprovalInTheBrowser() throws Exception {
        try (Browser doctor = open("demo-practitioner")) {
            assertThat(doctor.driver().getCurrentUrl()).endsWith("/portal/care/find.xhtml");
            doctor.find(By.id("find:identifier")).sendKeys(NATIONAL_ID + "|" + consentIdentifier);
            doctor.clickAndWait(By.id("find:search"));
            doctor.clickAndWait(By.cssSelector("#results\\:candidates input[type=submit]"));
            assertThat(doctor.find(By.id("refusal-reason")).getText()).isNotBlank();
            assertThat(doctor.all(By.id("record"))).isEmpty();
            // before access the clinician sees what they searched by, never demographics they did not send
            assertThat(doctor.find(By.id("searched-as")).getText()).isEqualTo("identifier " + NATIONAL_ID + "|" + consentIdentifier);
            assertThat(doctor.text()).doesNotContain("1969-03-14");
            doctor.screenshot("practitioner-refused");
            // a form post without the view's state (as a cross-site request would be) does nothing
            ((JavascriptExecutor) doctor.driver()).executeScript(
                    "document.querySelectorAll('#ask input[name=\"jakarta.faces.ViewState\"]').forEach(e => e.remove());");
            doctor.clickAndWait(By.id("ask:request"));
            assertThat(doctor.text()).doesNotContain("Access requested");
            assertThat(json(calls.api("GET", "/consent?status=pending", calls.token("demo-practitioner", "2"), null)).toString())
                    .doesNotContain(consentPseudonym);
            doctor.driver().get(platform.portalUrl() + "/care/patient.xhtml");
            doctor.clickAndWait(By.id("ask:request"));
            assertThat(doctor.find(By.id("messages")).getText()).contains("Access requested");
            assertThat(doctor.driver().getCurrentUrl()).doesNotContain(consentIdentifier);

            try (Browser patient = open(CONSENT_LOGIN)) {
                // the landing page: the request waiting first, then the summary with the allergy to aspirin marked
                assertThat(patient.find(By.id("alerts")).getText()).contains("1 access request waits for your decision.");
                assertThat(patient.find(By.id("patient-banner")).getText()).contains("Vera Portalova").contains("born 1969-03-14")
                        .contains("female");
                assertThat(patient.find(By.cssSelector("#allergies li.alert")).getText()).contains("Aspirin").contains("high risk");
                assertThat(patient.find(By.id("vital-signs")).getText()).contains("Blood pressure panel").contains("130/92 mm[Hg]");
                patient.screenshot("patient-summary-desktop");
                patient.size(Browser.PHONE);
                patient.driver().navigate().refresh();
                patient.waitFor(By.id("allergies"));
                patient.screenshot("patient-summary-phone");
                patient.size(Browser.DESKTOP);
                patient.clickAndWait(By.linkText("Access requests"));
                WebElement pending = patient.find(By.id("pending"));
                assertThat(pending.getText()).contains("demo-practitioner").contains("Results and measurements").contains("full: the records themselves").contains("treatment");
                patient.screenshot("patient-access-requests");
                // by keyboard only: Tab to the key file (chosen through the system's file dialog), then the passphrase, then
                // the request's Approve button, and Enter
                org.openqa.selenium.interactions.Actions keys = new org.openqa.selenium.interactions.Actions(patient.driver());
                for (int tabs = 0; tabs < 40 && !"key-file".equals(patient.driver().switchTo().activeElement().getAttribute("id")); tabs++) {
                    keys.sendKeys(org.openqa.selenium.Keys.TAB).perform();
                }
                WebElement keyFile = patient.driver().switchTo().activeElement();
                assertThat(keyFile.getAttribute("id")).as("the key file is reached by Tab").isEqualTo("key-file");
                keyFile.sendKeys(consentKeyFile.toAbsolutePath().toString());
                keys.sendKeys(org.openqa.selenium.Keys.TAB).perform();
                assertThat(patient.driver().switchTo().activeElement().getAttribute("id")).isEqualTo("key-passphrase");
                keys.sendKeys(PASSPHRASE).sendKeys(org.openqa.selenium.Keys.TAB).perform();
                WebElement focused = patient.driver().switchTo().activeElement();
                assertThat(focused.getAttribute("class")).isEqualTo("approve");
                assertThat(focused.getText()).isEqualTo("Approve");
                keys.sendKeys(org.openqa.selenium.Keys.ENTER).perform();
                patient.waitForText(By.id("messages"), "signed and recorded");
                assertThat(patient.find(By.id("active")).getText()).contains("demo-practitioner");

                doctor.clickAndWait(By.id("retry:reload"));
                assertThat(doctor.all(By.id("refusal-reason"))).isEmpty();
                assertThat(doctor.all(By.cssSelector("#record tbody tr"))).hasSize(8);
                assertThat(doctor.find(By.id("record")).getText()).contains("130/92 mm[Hg]");
                assertThat(doctor.find(By.id("not-shared")).getText()).contains("Visits");
                // the consent covers observations only: no allergy list, and the banner stays what was searched by
                assertThat(doctor.find(By.id("allergies")).getText()).contains("Not shared with you");
                assertThat(doctor.find(By.id("searched-as")).getText()).isEqualTo("identifier " + NATIONAL_ID + "|" + consentIdentifier);
                doctor.screenshot("practitioner-record-after-consent");

                patient.clickAndWait(By.linkText("Who accessed my record"));
                String log = patient.find(By.id("log")).getText();
                assertThat(log).contains("demo-practitioner");
                boolean allowedRead = false;
                for (WebElement row : patient.all(By.cssSelector("#log tbody tr"))) {
                    String text = row.getText();
                    allowedRead |= text.contains("demo-practitioner, practitioner at St Mary's Hospital") && text.contains("search")
                            && text.contains("allowed");
                }
                assertThat(allowedRead).as("the practitioner's allowed search is in the access log:\n" + log).isTrue();
                // the patient's own views (every page they open reads their record) are folded away until asked for
                assertThat(log).doesNotContain(CONSENT_LOGIN);
                patient.find(By.id("logfilter:own")).click();
                patient.waitForText(By.id("log"), CONSENT_LOGIN);
                patient.screenshot("patient-access-log");
            }
        }
    }

    @Test
    @Order(3)
    void careGiversAddAnObservationAConditionAndADispenseThePatientThenSees() throws Exception {
        try (Browser doctor = open("demo-practitioner")) {
            JsonNode identity = json(calls.api("GET", "/identity/patients?patientId=" + syntheaPatientId, platform.serviceToken(), null));
            // the St Mary patient is found by name and birth date (master patient index match)
            JsonNode patient = json(calls.fhir("GET", "/Patient/" + syntheaPatientId, platform.serviceToken(), null));
            doctor.find(By.id("find:family")).sendKeys(patient.path("name").path(0).path("family").asText());
            doctor.find(By.id("find:given")).sendKeys(patient.path("name").path(0).path("given").path(0).asText());
            doctor.setValue(doctor.find(By.id("find:birthDate")), patient.path("birthDate").asText());
            new Select(doctor.find(By.id("find:gender"))).selectByValue(patient.path("gender").asText());
            doctor.clickAndWait(By.id("find:search"));
            WebElement row = doctor.all(By.cssSelector("#results\\:candidates tbody tr")).stream()
                    .filter(r -> r.getText().contains(identity.path("pseudonym").asText().substring(0, 16))).findFirst().orElseThrow();
            doctor.clickAndWait(By.id(row.findElement(By.cssSelector("input[type=submit]")).getAttribute("id")));
            // the patient of the practitioner's own institution: the banner from the record confirms who it is
            assertThat(doctor.find(By.id("patient-banner")).getText()).contains(patient.path("name").path(0).path("family").asText())
                    .contains("born " + patient.path("birthDate").asText());
            // an implausible value is refused with the allowed range, and nothing is written
            // the value's unit follows the chosen measurement
            new Select(doctor.find(By.id("add:code"))).selectByValue("8867-4");
            doctor.waitForText(By.cssSelector("label[for='add:value']"), "Value in /min");
            doctor.find(By.id("add:value")).sendKeys("-5");
            doctor.clickAndWait(By.id("add:save"));
            assertThat(doctor.find(By.id("messages")).getText()).contains("Heart rate must be between 20 and 300 /min.");
            assertThat(doctor.find(By.id("record")).getText()).doesNotContain("-5 /min");
            new Select(doctor.find(By.id("add:code"))).selectByValue("2339-0");
            doctor.waitForText(By.cssSelector("label[for='add:value']"), "Value in mg/dL");
            doctor.find(By.id("add:value")).clear();
            doctor.find(By.id("add:value")).sendKeys("123,4"); // a decimal comma is a decimal
            // measured an hour ago (the record view shows the newest 100 of each kind; a date far back would be paged away)
            java.time.LocalDateTime measured = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).minusHours(1)
                    .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            doctor.setValue(doctor.find(By.id("add:when")), measured.toString());
            doctor.clickAndWait(By.id("add:save"));
            assertThat(doctor.find(By.id("messages")).getText()).contains("Observation added");
            assertThat(doctor.find(By.id("record")).getText()).contains(measured.toLocalDate() + " Result Glucose").contains("123.4 mg/dL");
            // the same measurement saved twice (a double submission) is one row that says so
            doctor.find(By.id("add:value")).sendKeys("123.4");
            doctor.setValue(doctor.find(By.id("add:when")), measured.toString());
            doctor.clickAndWait(By.id("add:save"));
            assertThat(doctor.find(By.id("messages")).getText()).contains("Observation added");
            assertThat(doctor.find(By.id("record")).getText()).contains(measured.toLocalDate() + " Result Glucose [Mass/volume] in Blood (recorded 2 times) 123.4 mg/dL");
            JsonNode written = json(calls.fhir("GET", "/Observation?patient=" + syntheaPatientId + "&code=http://loinc.org%7C2339-0"
                    + "&_sort=-_lastUpdated&_count=1", platform.serviceToken(), null)).path("entry").path(0).path("resource");
            assertThat(written.path("effectiveDateTime").asText()).isEqualTo(measured + ":00Z");
            // one kind at a time: the condition's field appears when its kind is chosen, the measurement's goes
            new Select(doctor.find(By.id("add:kind"))).selectByValue("Condition");
            doctor.waitFor(By.id("add:condition"));
            assertThat(doctor.all(By.id("add:code"))).isEmpty();
            new Select(doctor.find(By.id("add:condition"))).selectByValue("38341003");
            doctor.clickAndWait(By.id("add:save"));
            assertThat(doctor.find(By.id("messages")).getText()).contains("Condition added");
        }
        try (Browser pharmacist = open("demo-pharmacist")) {
            // found by the Synthea identifier (master patient index, exact)
            String synthea = "https://github.com/synthetichealth/synthea";
            JsonNode identifiers = json(calls.fhir("GET", "/Patient/" + syntheaPatientId, platform.serviceToken(), null)).path("identifier");
            String value = "";
            for (JsonNode i : identifiers) {
                if (i.path("system").asText().equals(synthea)) {
                    value = i.path("value").asText();
                }
            }
            assertThat(value).isNotEmpty();
            pharmacist.find(By.id("find:identifier")).sendKeys(synthea + "|" + value);
            pharmacist.clickAndWait(By.id("find:search"));
            pharmacist.clickAndWait(By.cssSelector("#results\\:candidates input[type=submit]"));
            new Select(pharmacist.find(By.id("add:kind"))).selectByValue("MedicationDispense");
            pharmacist.waitFor(By.id("add:medication"));
            new Select(pharmacist.find(By.id("add:medication"))).selectByValue("314076");
            pharmacist.find(By.id("add:value")).sendKeys("30");
            pharmacist.clickAndWait(By.id("add:save"));
            assertThat(pharmacist.find(By.id("messages")).getText()).contains("MedicationDispense added");
        }
        try (Browser patient = open(SYNTHEA_LOGIN)) {
            // on arrival: what St Mary's added since the visit of the first test (two glucose values, a condition, a dispense)
            assertThat(patient.find(By.id("alerts")).getText())
                    .containsPattern("4 new records from St Mary's Hospital since your last visit on 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.");
            String timeline = patient.find(By.id("records:timeline")).getText();
            assertThat(timeline).contains("Glucose [Mass/volume] in Blood (recorded 2 times) 123.4 mg/dL").contains("Hypertensive disorder").contains("Lisinopril 10 MG Oral Tablet");
            new Select(patient.find(By.id("plotform:series"))).selectByValue("2339-0");
            patient.clickAndWait(By.id("plotform:show"));
            assertThat(patient.find(By.className("plot-label")).getText()).contains("Glucose")
                    .contains("shaded: 70-99 mg/dL (fasting adult range, ADA)");
            patient.waitFor(By.cssSelector("#series-chart svg"));
            patient.find(By.cssSelector("#series-values summary")).click();
            assertThat(patient.find(By.id("series-table")).getText()).contains("123.4");
            patient.screenshot("patient-chart-glucose");
        }
    }

    @Test
    @Order(4)
    void anEmergencyAccessShowsUpForThePatient() throws Exception {
        try (Browser doctor = open("demo-family-doctor")) {
            doctor.find(By.id("find:identifier")).sendKeys(NATIONAL_ID + "|" + consentIdentifier);
            doctor.clickAndWait(By.id("find:search"));
            doctor.clickAndWait(By.cssSelector("#results\\:candidates input[type=submit]"));
            assertThat(doctor.find(By.id("refusal-reason")).getText()).isNotBlank();
            doctor.find(By.id("breakglass:reason")).sendKeys("unconscious in the emergency room");
            // not without the confirmation that it is recorded and the patient is told
            doctor.clickAndWait(By.id("breakglass:emergency"));
            assertThat(doctor.find(By.id("messages")).getText())
                    .isEqualTo("Confirm that this is an emergency: the access is recorded and the patient is told.");
            assertThat(doctor.all(By.id("record"))).isEmpty();
            doctor.find(By.id("breakglass:confirm")).click();
            doctor.clickAndWait(By.id("breakglass:emergency"));
            assertThat(doctor.find(By.id("messages")).getText()).contains("Emergency access is in force until")
                    .contains("The patient has been notified; every read is recorded.");
            assertThat(doctor.find(By.id("emergency-in-force")).getText()).startsWith("Emergency access until ");
            assertThat(doctor.find(By.cssSelector("#allergies li.alert")).getText()).contains("Aspirin").contains("high risk");
            assertThat(doctor.find(By.id("patient-banner")).getText()).contains("Vera Portalova").contains("born 1969-03-14");
            assertThat(doctor.all(By.cssSelector("#record tbody tr"))).hasSize(9);
            doctor.screenshot("care-emergency-view");
        }
        try (Browser patient = open(CONSENT_LOGIN)) {
            assertThat(patient.find(By.id("alerts")).getText()).contains("Emergency access by demo-family-doctor is in force until")
                    .contains("\"unconscious in the emergency room\"");
            patient.clickAndWait(By.linkText("Who accessed my record"));
            assertThat(patient.find(By.id("emergencies")).getText()).contains("demo-family-doctor").contains("unconscious in the emergency room");
            assertThat(patient.all(By.cssSelector("#log .emergency-access"))).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getText()).isEqualTo("demo-family-doctor"));
            patient.screenshot("patient-emergency-access");
        }
    }

    @Test
    @Order(5)
    void aResearcherRequestsADataSetAndDownloadsItAfterTheProgressBarCompletes() throws Exception {
        try (Browser researcher = open("demo-researcher")) {
            assertThat(researcher.driver().getCurrentUrl()).endsWith("/portal/research/datasets.xhtml");
            researcher.find(By.id("study:eligibility")).sendKeys("identifier=https://github.com/synthetichealth/synthea|");
            WebElement size = researcher.find(By.id("study:size"));
            size.clear();
            size.sendKeys("16");
            researcher.clickAndWait(By.id("study:create"));
            // the new study is listed with its counts and chosen in the data set form
            String study = researcher.find(By.id("dataset:study")).getAttribute("value");
            assertThat(study).isNotBlank();
            assertThat(researcher.find(By.id("studies")).getText()).contains(": 16 asked (16 pending); 0 in the research pool");

            Custodian custodian = new Custodian(calls);
            JsonNode consents = json(calls.api("GET", "/consent/studies/" + study, calls.token("demo-researcher", "2"), null)).path("consents");
            assertThat(consents).hasSize(16);
            for (JsonNode c : consents) {
                custodian.linkTo(c.path("patient").asText());
            }
            for (JsonNode c : consents) {
                custodian.decide(c.path("id").asText(), "approve");
            }

            // wrong input is answered next to its field, and nothing is requested
            WebElement k = researcher.find(By.id("dataset:k"));
            k.clear();
            k.sendKeys("1");
            researcher.clickAndWait(By.id("dataset:request"));
            assertThat(researcher.find(By.cssSelector("#dataset .field-error")).getText()).isEqualTo("k must be a whole number from 2 to 100.");
            k = researcher.find(By.id("dataset:k"));
            k.clear();
            k.sendKeys("3");
            researcher.clickAndWait(By.id("dataset:request"));
            assertThat(researcher.find(By.cssSelector("#dataset .field-error")).getText())
                    .isEqualTo("Say what the data set is for; it is recorded with every access.");
            assertThat(researcher.find(By.id("messages")).getText()).doesNotContain("requested");
            researcher.find(By.id("dataset:purpose")).sendKeys("portal test: conditions by age and sex");
            researcher.clickAndWait(By.id("dataset:request"));
            String message = researcher.find(By.id("messages")).getText();
            java.util.regex.Matcher requested = java.util.regex.Pattern.compile("Data set ([0-9a-f-]+) requested").matcher(message);
            assertThat(requested.find()).as(message).isTrue();
            String article = "article#dataset-" + requested.group(1);
            researcher.screenshot("researcher-progress");
            // the researcher's earlier data sets (other tests) are listed too: follow this one until it ends
            WebElement done = new org.openqa.selenium.support.ui.WebDriverWait(researcher.driver(), java.time.Duration.ofMinutes(4))
                    .until(d -> d.findElements(By.cssSelector(article + "[data-status=done], " + article + "[data-status=failed]"))
                            .stream().findFirst().orElse(null));
            assertThat(done.getAttribute("data-status")).as(done.getText()).isEqualTo("done");
            assertThat(done.findElement(By.tagName("progress")).getAttribute("value")).isEqualTo("100");
            int released = Integer.parseInt(done.findElement(By.className("records")).getText().trim());
            assertThat(released).isBetween(3, 16);
            researcher.screenshot("researcher-dataset-done");
            String csv = researcher.fetch(done.findElement(By.className("download-csv")));
            try (CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(new java.io.StringReader(csv))) {
                List<CSVRecord> records = parser.getRecords();
                assertThat(parser.getHeaderNames()).as(csv).contains("age", "sex", "condition");
                assertThat(records).hasSize(released);
            }
            researcher.driver().get(platform.portalUrl() + "/research/datasets.xhtml");
            assertThat(researcher.waitFor(By.id("history")).getText()).contains("records.csv downloaded").contains("requested");
        }
    }

    @Test
    @Order(6)
    void theAdminSeesAnchoringHealthAndOtherRolesAreKeptOutOfPagesNotTheirs() throws Exception {
        try (Browser admin = open("demo-admin")) {
            assertThat(admin.driver().getCurrentUrl()).endsWith("/portal/admin/health.xhtml");
            assertThat(admin.find(By.id("anchoring-health")).getText()).as("anchoring runs on the test chain, every 2 s")
                    .startsWith("OK: ").containsPattern("last anchor confirmed 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC in chain block [1-9]");
            assertThat(admin.find(By.id("anchoring-last")).isDisplayed()).as("technical details folded").isFalse();
            admin.find(By.cssSelector("#anchoring-details summary")).click();
            assertThat(admin.find(By.id("anchoring-last")).getText()).as("an anchor was confirmed")
                    .containsPattern("transaction 0x[0-9a-f]{64}, chain block [1-9]");
            admin.screenshot("admin-anchoring");
            // institutions and accounts listed
            assertThat(admin.find(By.id("institutions")).getText()).contains("st-mary").contains("north-clinic");
            assertThat(admin.find(By.id("accounts")).getText()).contains("demo-practitioner").contains("demo-researcher");
            // the account form asks for the name Keycloak would demand at first login, next to the field
            admin.find(By.id("newaccount:username")).sendKeys("portal-new-lab");
            admin.find(By.id("newaccount:email")).sendKeys("portal-new-lab@st-mary.invalid");
            admin.find(By.id("newaccount:lastName")).sendKeys("Newlab");
            admin.clickAndWait(By.id("newaccount:create"));
            assertThat(admin.find(By.cssSelector("#newaccount .field-error")).getText()).isEqualTo("Enter the first name.");
            admin.find(By.id("newaccount:firstName")).sendKeys("Nora");
            new Select(admin.find(By.id("newaccount:role"))).selectByValue("lab");
            admin.find(By.id("newaccount:inst")).sendKeys("st-mary");
            admin.clickAndWait(By.id("newaccount:create"));
            assertThat(admin.find(By.id("messages")).getText()).contains("Account portal-new-lab created.");
            assertThat(admin.find(By.id("accounts")).getText()).contains("portal-new-lab").contains("Nora Newlab")
                    .contains("first login pending");
            assertThat(admin.status("/portal/patient/record.xhtml")).as("an admin is refused the patient pages").isEqualTo(403);
            assertThat(admin.status("/portal/care/find.xhtml")).as("and the care pages").isEqualTo(403);
            assertThat(admin.status("/portal/research/datasets.xhtml")).as("and the research pages").isEqualTo(403);
            assertThat(admin.status("/portal/admin/health.xhtml")).as("but not their own").isEqualTo(200);
        }
    }

    /** Every main page of every role, as axe-core sees it: no serious or critical WCAG 2.1 A/AA violation. */
    @Test
    @Order(7)
    void everyMainPageHasNoSeriousOrCriticalAccessibilityProblem() throws Exception {
        Map<String, List<String>> problems = new java.util.LinkedHashMap<>();
        try (Browser patient = open(SYNTHEA_LOGIN)) {
            problems.put("patient: my health record", patient.accessibilityProblems());
            for (String page : List.of("Access requests", "Who accessed my record", "My key")) {
                patient.clickAndWait(By.linkText(page));
                problems.put("patient: " + page, patient.accessibilityProblems());
            }
        }
        try (Browser doctor = open("demo-practitioner")) {
            problems.put("care giver: find a patient", doctor.accessibilityProblems());
            doctor.find(By.id("find:identifier")).sendKeys(NATIONAL_ID + "|" + consentIdentifier);
            doctor.clickAndWait(By.id("find:search"));
            problems.put("care giver: candidates", doctor.accessibilityProblems());
            doctor.clickAndWait(By.cssSelector("#results\\:candidates input[type=submit]"));
            problems.put("care giver: patient record", doctor.accessibilityProblems());
        }
        try (Browser researcher = open("demo-researcher")) {
            problems.put("researcher: data sets", researcher.accessibilityProblems());
        }
        try (Browser admin = open("demo-admin")) {
            problems.put("admin: anchoring and keys", admin.accessibilityProblems());
        }
        problems.values().removeIf(List::isEmpty);
        assertThat(problems).as("serious or critical accessibility problems per page").isEmpty();
    }
}
