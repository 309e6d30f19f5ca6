package org.phrcloud.portal;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The portal's page for a server error (WEB-INF/web.xml maps status 500 here). Its common cause at sign-in is the
 * identity provider out of reach: the OpenID Connect mechanism ({@link PortalSecurity}) reads the provider's metadata
 * ({@code <issuer>/.well-known/openid-configuration}, OpenID Connect Discovery 1.0 section 4) before it can send the
 * browser to the login, and fails with a bare 500 when Keycloak does not answer. So the page asks the provider itself
 * (3 s at most): if it does not answer, it says that signing in is not possible right now, with
 * {@code 503 Service Unavailable} and {@code Retry-After: 60}; otherwise it is a plain 500 that says something went
 * wrong. It never shows the failure's details. Public: an error page is shown whoever asked.
 */
@WebServlet("/server-error")
public class ServerErrorPage extends HttpServlet {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    PortalSettings settings;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        write(request, response, !providerAnswers());
    }

    /**
     * Writes the page: "Signing in is not possible right now" with 503 and {@code Retry-After: 60} when
     * {@code signInDown}, else "Something went wrong" with 500. Shared with the sign-in's own guard
     * ({@code signin.SignInGuardInterceptor}).
     */
    public static void write(HttpServletRequest request, HttpServletResponse response, boolean signInDown) throws IOException {
        response.setStatus(signInDown ? HttpServletResponse.SC_SERVICE_UNAVAILABLE : HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        if (signInDown) {
            response.setHeader("Retry-After", "60");
        }
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        String title = signInDown ? "Signing in is not possible right now" : "Something went wrong";
        String text = signInDown
                ? "The sign-in service cannot be reached at the moment. Nothing was changed. Please try again in a few minutes."
                : "The portal could not complete this request. Nothing was changed. Please try again; if it happens again, "
                + "tell your institution's administrator.";
        response.getWriter().write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
                + "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  <title>" + title + " - PHR Cloud</title>\n"
                + "</head>\n<body>\n  <main>\n    <h1>" + title + "</h1>\n    <p>" + text + "</p>\n"
                + "    <p><a href=\"" + request.getContextPath() + "/\">Try again</a></p>\n  </main>\n</body>\n</html>\n");
    }

    private boolean providerAnswers() {
        try {
            String issuer = settings.getIssuer().replaceAll("/+$", "");
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
