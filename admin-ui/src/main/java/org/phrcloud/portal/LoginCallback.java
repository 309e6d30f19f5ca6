package org.phrcloud.portal;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * {@code /portal/callback}: the OpenID Connect redirect URI. The mechanism ({@link PortalSecurity}) has already
 * exchanged the code and signed the user in when this runs; it sends them to their home page. (The mechanism's own
 * "redirect to the original resource" is off: Soteria 3.0.3 replays a parameterless GET with a null parameter map,
 * which Faces then fails on.)
 */
@WebServlet("/callback")
public class LoginCallback extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.sendRedirect(request.getContextPath() + "/");
    }
}
