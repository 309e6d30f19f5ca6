package org.phrcloud.standards.fhir.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.standards.fhir.security.BearerTokenAuthenticationInterceptor;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of the Bulk Data export (HL7 FHIR Bulk Data Access IG 2.0.0), under the FHIR base:
 * <ul>
 *   <li>kick-off: {@code GET $export}, {@code GET Patient/$export}, {@code GET Group/[id]/$export} with {@code Prefer:
 *       respond-async} -> 202 and {@code Content-Location: [base]/bulk-export/[job]};</li>
 *   <li>status: {@code GET bulk-export/[job]} -> 202 with {@code X-Progress} while it runs, 200 with the manifest, 500 with
 *       an OperationOutcome when it failed;</li>
 *   <li>files: {@code GET bulk-export/[job]/[n].ndjson} ({@code application/fhir+ndjson});</li>
 *   <li>cancel: {@code DELETE bulk-export/[job]} -> 202.</li>
 * </ul>
 * Every call needs the bearer token of a caller the FHIR access policy admits (401 / 403 as on every FHIR request);
 * status, files and cancel only the caller who kicked the export off (404 PHR-FHIR-0605 for anyone else). A researcher
 * (acr 2) may only kick off {@code Group/[study]/$export}, which gives the anonymized records of their released research
 * data set of that study (404 PHR-FHIR-0612 without one); every other level stays 403 PHR-AUTHZ-0001. Errors are
 * OperationOutcomes. What is exported and for whom: {@link BulkExport}.
 */
public final class BulkExportEndpoint {
    /** The path segment of a job's status URL. */
    public static final String JOBS = "bulk-export";
    private static final Pattern KICK_OFF = Pattern.compile("^/(?:(Patient)/|Group/([A-Za-z0-9.-]{1,64})/)?\\$export$");
    private static final Pattern JOB = Pattern.compile("^/" + JOBS + "/([0-9a-f-]{36})(?:/([0-9]{1,6})\\.ndjson)?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BulkExport export;
    private final BearerTokenAuthenticationInterceptor authentication;

    /** @param authentication the FHIR server's own authentication, whose token check and access policy apply here too */
    public BulkExportEndpoint(BulkExport export, BearerTokenAuthenticationInterceptor authentication) {
        this.export = export;
        this.authentication = authentication;
    }

    /**
     * Declares the export in the CapabilityStatement (Bulk Data Access IG, "Server Capability Documentation"): it
     * instantiates the IG's bulk-data CapabilityStatement and names the {@code export} operation at the system level and
     * on Patient and Group.
     */
    public static void describe(org.hl7.fhir.r4.model.CapabilityStatement statement) {
        String ig = "http://hl7.org/fhir/uv/bulkdata/";
        if (statement.getInstantiates().stream().noneMatch(i -> (ig + "CapabilityStatement/bulk-data").equals(i.getValue()))) {
            statement.addInstantiates(ig + "CapabilityStatement/bulk-data");
        }
        for (org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
            rest.getOperation().removeIf(o -> "export".equals(o.getName()));
            rest.addOperation().setName("export").setDefinition(ig + "OperationDefinition/export");
            for (org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
                String type = resource.getType();
                if ("Patient".equals(type) || "Group".equals(type)) {
                    resource.getOperation().removeIf(o -> "export".equals(o.getName()));
                    resource.addOperation().setName("export").setDefinition(ig + "OperationDefinition/" + type.toLowerCase() + "-export");
                }
            }
        }
    }

    /** Whether a path under the FHIR base is one of the export's. */
    public static boolean handles(String pathInfo) {
        return pathInfo != null && (KICK_OFF.matcher(pathInfo).matches() || JOB.matcher(pathInfo).matches());
    }

    /**
     * Answers one export request.
     *
     * @param fhirBase this FHIR server's base URL as the request reached it (for the URLs handed out)
     */
    public void handle(HttpServletRequest request, HttpServletResponse response, String fhirBase) throws IOException {
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Access-Control-Expose-Headers", "Content-Location, X-Progress, Retry-After");
        String path = request.getPathInfo();
        String method = request.getMethod();
        try {
            Matcher kickOff = KICK_OFF.matcher(path);
            boolean groupKickOff = kickOff.matches() && kickOff.group(2) != null;
            String bearer = BearerTokenAuthenticationInterceptor.bearerOf(request.getHeader("Authorization"));
            Caller caller = authenticate(bearer, groupKickOff || !kickOff.matches());
            String requestId = request.getHeader("X-Request-ID");
            if (kickOff.matches()) {
                if (!"GET".equals(method)) {
                    throw new BulkExport.Refused(405, "PHR-FHIR-0611: a bulk export is kicked off with GET");
                }
                String level = kickOff.group(1) != null ? "patient" : kickOff.group(2) != null ? "group" : "system";
                BulkExportRequest parsed = BulkExportRequest.parse(level, kickOff.group(2), parameters(request.getQueryString()),
                        request.getHeader("Prefer"));
                String url = fhirBase + path + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
                String local = "http://127.0.0.1:" + request.getLocalPort() + request.getContextPath() + request.getServletPath();
                String id = caller.hasRole(PhrRole.RESEARCHER) && !caller.serviceAccount()
                        ? export.kickOffResearch(caller, parsed, url, requestId)
                        : export.kickOff(caller, bearer, parsed, url, local, requestId);
                response.setStatus(202);
                response.setHeader("Content-Location", fhirBase + "/" + JOBS + "/" + id);
                return;
            }
            Matcher job = JOB.matcher(path);
            job.matches();
            String id = job.group(1);
            if (job.group(2) != null && "GET".equals(method)) {
                String ndjson = export.download(caller, id, Integer.parseInt(job.group(2)), requestId);
                response.setStatus(200);
                response.setContentType("application/fhir+ndjson");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write(ndjson);
            } else if (job.group(2) == null && "DELETE".equals(method)) {
                export.cancel(caller, id, requestId);
                response.setStatus(202);
            } else if (job.group(2) == null && "GET".equals(method)) {
                status(export.jobOf(caller, id), response, fhirBase + "/" + JOBS + "/" + id);
            } else {
                throw new BulkExport.Refused(405, "PHR-FHIR-0611: " + method + " is not allowed here");
            }
        } catch (BulkExport.Refused e) {
            outcome(response, e.status(), e.status() == 404 ? "not-found" : e.status() == 403 ? "forbidden" : "not-supported", e.getMessage());
        } catch (BulkExportRequest.Invalid e) {
            outcome(response, 400, "invalid", e.getMessage());
        } catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException e) {
            e.getResponseHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            outcome(response, e.getStatusCode(), e.getStatusCode() == 401 ? "login" : "forbidden", e.getMessage());
        }
    }

    private void status(BulkExportJobs.Job job, HttpServletResponse response, String statusUrl) throws IOException {
        switch (job.status()) {
            case ACCEPTED, RUNNING -> {
                response.setStatus(202);
                response.setHeader("X-Progress", job.progress() == null ? "running" : job.progress());
                response.setHeader("Retry-After", "2");
            }
            case COMPLETED -> {
                response.setStatus(200);
                java.time.Instant finished = job.finishedAt() == null ? java.time.Instant.now() : job.finishedAt();
                response.setHeader("Expires", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                        .format(finished.plus(BulkExport.KEPT).atZone(java.time.ZoneOffset.UTC)));
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write(export.manifest(job, statusUrl));
            }
            case FAILED -> outcome(response, 500, "exception", job.error());
            case CANCELLED -> outcome(response, 404, "not-found", "PHR-FHIR-0605: bulk export " + job.id() + " was cancelled");
        }
    }

    /**
     * The caller, verified and admitted as {@link BearerTokenAuthenticationInterceptor} admits callers to the FHIR API; and a
     * researcher at {@code acr=2} for a Group kick-off, the anonymized export of a study ({@link BulkExport#kickOffResearch}),
     * and for the status and files of their exports.
     *
     * @param researchAllowed whether the request is a Group kick-off or about a job
     * @throws ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException 401 or 403, as on every FHIR request
     */
    private Caller authenticate(String bearer, boolean researchAllowed) {
        Caller caller = authentication.verified(bearer);
        boolean researcher = caller.hasRole(PhrRole.RESEARCHER) && !caller.serviceAccount() && !caller.isCareGiver();
        if (researcher && researchAllowed) {
            if (!caller.steppedUp()) {
                throw BearerTokenAuthenticationInterceptor.stepUp("PHR-AUTHZ-0002: this needs authentication with a second factor (acr=2)");
            }
            return caller;
        }
        authentication.admit(caller);
        return caller;
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                String name = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
                String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                out.merge(name, value, (a, b) -> a + "," + b);
            }
        }
        return out;
    }

    private static void outcome(HttpServletResponse response, int status, String code, String diagnostics) throws IOException {
        response.setStatus(status);
        response.setContentType("application/fhir+json");
        response.setCharacterEncoding("UTF-8");
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", "error");
        issue.put("code", code);
        issue.put("diagnostics", diagnostics);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resourceType", "OperationOutcome");
        body.put("issue", List.of(issue));
        response.getWriter().write(JSON.writeValueAsString(body));
    }
}
