package org.phrcloud.portal;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.identitystore.openid.OpenIdContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import org.phrcloud.portal.api.PhrApi;

import java.io.IOException;
import java.util.List;

/**
 * The signed-in user as the pages see them: name and roles (Keycloak realm roles), which decide the menu; the server
 * decides again on every API call.
 */
@Named("user")
@RequestScoped
public class PortalUser {
    public static final List<String> CARE_ROLES = List.of("practitioner", "family-doctor", "pharmacist", "lab");

    @Inject
    SecurityContext security;
    @Inject
    OpenIdContext openId;
    @Inject
    PortalSettings settings;

    public String getName() {
        return security.getCallerPrincipal() == null ? "" : security.getCallerPrincipal().getName();
    }

    public boolean isPatient() {
        return security.isCallerInRole("patient");
    }

    public boolean isCareGiver() {
        return CARE_ROLES.stream().anyMatch(security::isCallerInRole);
    }

    public boolean isResearcher() {
        return security.isCallerInRole("researcher");
    }

    public boolean isAdmin() {
        return security.isCallerInRole("admin");
    }

    /** @return the page a user lands on after login, by role */
    public String home() {
        if (isPatient()) {
            return "/patient/record.xhtml";
        }
        if (isCareGiver()) {
            return "/care/find.xhtml";
        }
        if (isResearcher()) {
            return "/research/datasets.xhtml";
        }
        if (isAdmin()) {
            return "/admin/health.xhtml";
        }
        return "/no-role.xhtml";
    }

    /** Sends the user to their home page (the landing page's view action). */
    public void goHome() throws IOException {
        ExternalContext ec = FacesContext.getCurrentInstance().getExternalContext();
        ec.redirect(ec.getRequestContextPath() + home());
    }

    /**
     * Ends the portal session and the Keycloak session (OpenID Connect RP-Initiated Logout 1.0): back to the signed-out
     * page.
     */
    public void logout() throws IOException, ServletException {
        ExternalContext ec = FacesContext.getCurrentInstance().getExternalContext();
        String idToken = openId.getIdentityToken() == null ? null : openId.getIdentityToken().getToken();
        HttpServletRequest request = (HttpServletRequest) ec.getRequest();
        String back = request.getRequestURL().toString().replace(request.getRequestURI(), "") + ec.getRequestContextPath()
                + "/signed-out.html";
        request.logout();
        ec.invalidateSession();
        String end = settings.getIssuer() + "/protocol/openid-connect/logout?client_id=" + PhrApi.enc(settings.getClientId())
                + "&post_logout_redirect_uri=" + PhrApi.enc(back) + (idToken == null ? "" : "&id_token_hint=" + PhrApi.enc(idToken));
        ec.redirect(end);
    }

}
