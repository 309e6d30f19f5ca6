package org.phrcloud.portal.admin;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

import static org.phrcloud.portal.Messages.error;
import static org.phrcloud.portal.Messages.info;
import static org.phrcloud.portal.Messages.object;
import static org.phrcloud.portal.Messages.objects;

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
    private String firstName = "";
    private String lastName = "";
    private List<Map<String, Object>> institutions;
    private List<Map<String, Object>> accounts;
    private String role = "practitioner";
    private String accountInstitution = "";
    private String temporaryPassword;

    public Map<String, Object> getAnchoring() {
        if (anchoring == null) {
            anchoring = object(api, "/api/ledger/anchoring");
        }
        return anchoring;
    }

    /**
     * The anchoring state in a sentence ({@code health} of {@code GET /api/ledger/anchoring}: ok, delayed after 2 minutes,
     * failing after 15, off without a chain), with how much waits and the last confirmed anchor.
     */
    public String getAnchoringSentence() {
        Map<String, Object> a = getAnchoring();
        String health = String.valueOf(a.get("health"));
        long pending = a.get("pendingBlocks") instanceof Number n ? n.longValue() : 0;
        long oldest = a.get("oldestPendingSeconds") instanceof Number n ? n.longValue() : 0;
        String waiting = pending == 0 ? "nothing waits for an anchor"
                : pending + (pending == 1 ? " change waits" : " changes wait") + " for an anchor, the oldest for " + duration(oldest);
        String last = a.get("lastAnchor") instanceof Map<?, ?> l
                ? "; last anchor confirmed " + org.phrcloud.portal.Words.time(l.get("confirmedAt")) + " in chain block " + l.get("blockNumber")
                : "; no anchor confirmed yet";
        return switch (health) {
            case "off" -> "Off: no chain is configured, so changes are kept for anchoring later.";
            case "ok" -> "OK: " + waiting + last + ".";
            case "delayed" -> "Delayed: " + waiting + last + ". Anchoring retries on its own; check the chain node if it lasts.";
            case "failing" -> "Failing: " + waiting + last + ". The chain node does not confirm anchors: check it. Nothing is lost;"
                    + " changes are anchored once it answers.";
            default -> "Unknown: the server did not say.";
        };
    }

    private static String duration(long seconds) {
        return seconds < 120 ? seconds + " s" : seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }

    /** The institutions with their members ({@code GET /api/identity/admin/institutions}, audited). */
    public List<Map<String, Object>> getInstitutions() {
        if (institutions == null) {
            institutions = objects(api, "/api/identity/admin/institutions");
        }
        return institutions;
    }

    /** The staff accounts ({@code GET /api/identity/admin/users}, audited). */
    public List<Map<String, Object>> getAccounts() {
        if (accounts == null) {
            accounts = objects(api, "/api/identity/admin/users");
        }
        return accounts;
    }

    /** An account's state in words: "must set a password and an authenticator at first login", "ready" or "disabled". */
    public String accountState(Map<String, Object> account) {
        if (Boolean.FALSE.equals(account.get("enabled"))) {
            return "disabled";
        }
        Object actions = account.get("requiredActions");
        return actions instanceof List<?> l && !l.isEmpty() ? "first login pending (password and authenticator app)" : "ready";
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
            institutions = null;
        } else {
            error(a.message());
        }
    }

    /**
     * Creates an account with the name and e-mail Keycloak asks for at first login anyway (the form checks they are
     * there, next to each field); it shows the one-time password once.
     */
    public void createAccount() {
        boolean ok = true;
        if (firstName.isBlank()) {
            error("newaccount:firstName", "Enter the first name.");
            ok = false;
        }
        if (lastName.isBlank()) {
            error("newaccount:lastName", "Enter the last name.");
            ok = false;
        }
        if (!email.trim().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            error("newaccount:email", "Enter an e-mail address such as name@hospital.org.");
            ok = false;
        }
        if (!username.trim().matches("[a-z0-9][a-z0-9._-]{2,63}")) {
            error("newaccount:username", "A username is 3 to 64 lowercase letters, digits, dots, hyphens or underscores.");
            ok = false;
        }
        if (!ok) {
            return;
        }
        var body = Json.createObjectBuilder().add("username", username.trim()).add("email", email.trim()).add("role", role)
                .add("firstName", firstName.trim()).add("lastName", lastName.trim());
        if (!accountInstitution.isBlank()) {
            body.add("institution", accountInstitution.trim());
        }
        ApiAnswer a = api.call("POST", "/api/identity/admin/users", body.build().toString());
        if (a.ok()) {
            temporaryPassword = a.object().getString("temporaryPassword", null);
            info("Account " + username + " created. Hand over the temporary password; it must be changed at first login.");
            accounts = null;
            institutions = null;
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
    public String getFirstName() { return firstName; }
    public void setFirstName(String v) { firstName = v == null ? "" : v; }
    public String getLastName() { return lastName; }
    public void setLastName(String v) { lastName = v == null ? "" : v; }
    public void setEmail(String v) { email = v == null ? "" : v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
    public String getAccountInstitution() { return accountInstitution; }
    public void setAccountInstitution(String v) { accountInstitution = v == null ? "" : v; }
    public String getTemporaryPassword() { return temporaryPassword; }
}
