package org.phrcloud.portal.admin;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;

import java.io.Serializable;
import java.util.Map;

import static org.phrcloud.portal.Messages.error;
import static org.phrcloud.portal.Messages.info;
import static org.phrcloud.portal.Messages.object;

/**
 * The administrator's page: anchoring health ({@code GET /api/ledger/anchoring}: blocks waiting, lag, last anchor),
 * master keys, institutions' public signing keys, and creating institutions and accounts (identity admin API, acr 2).
 * No clinical data is shown here.
 */
@Named("admin")
@ViewScoped
public class AdminPages implements Serializable {
    private static final long serialVersionUID = 1L;

    @Inject
    PhrApi api;

    private Map<String, Object> anchoring;
    private Map<String, Object> masterKeys;
    private Map<String, Object> institutionKeys;
    private String institutionId = "";
    private String institutionName = "";
    private String username = "";
    private String email = "";
    private String role = "practitioner";
    private String accountInstitution = "";
    private String temporaryPassword;

    public Map<String, Object> getAnchoring() {
        if (anchoring == null) {
            anchoring = object(api, "/api/ledger/anchoring");
        }
        return anchoring;
    }

    public Map<String, Object> getMasterKeys() {
        if (masterKeys == null) {
            masterKeys = object(api, "/api/identity/admin/master-keys");
        }
        return masterKeys;
    }

    public Map<String, Object> getInstitutionKeys() {
        if (institutionKeys == null) {
            institutionKeys = object(api, "/api/identity/institutions/keys");
        }
        return institutionKeys;
    }

    public void createInstitution() {
        ApiAnswer a = api.call("POST", "/api/identity/admin/institutions", Json.createObjectBuilder()
                .add("id", institutionId.trim()).add("name", institutionName.trim()).build().toString());
        if (a.ok()) {
            info("Institution " + institutionId + " created with its first signing key.");
            institutionKeys = null;
        } else {
            error(a.message());
        }
    }

    public void createAccount() {
        var body = Json.createObjectBuilder().add("username", username.trim()).add("email", email.trim()).add("role", role);
        if (!accountInstitution.isBlank()) {
            body.add("institution", accountInstitution.trim());
        }
        ApiAnswer a = api.call("POST", "/api/identity/admin/users", body.build().toString());
        if (a.ok()) {
            temporaryPassword = a.object().getString("temporaryPassword", null);
            info("Account " + username + " created. Hand over the temporary password; it must be changed at first login.");
        } else {
            error(a.message());
        }
    }

    public String getInstitutionId() { return institutionId; }
    public void setInstitutionId(String v) { institutionId = v == null ? "" : v; }
    public String getInstitutionName() { return institutionName; }
    public void setInstitutionName(String v) { institutionName = v == null ? "" : v; }
    public String getUsername() { return username; }
    public void setUsername(String v) { username = v == null ? "" : v; }
    public String getEmail() { return email; }
    public void setEmail(String v) { email = v == null ? "" : v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
    public String getAccountInstitution() { return accountInstitution; }
    public void setAccountInstitution(String v) { accountInstitution = v == null ? "" : v; }
    public String getTemporaryPassword() { return temporaryPassword; }
}
