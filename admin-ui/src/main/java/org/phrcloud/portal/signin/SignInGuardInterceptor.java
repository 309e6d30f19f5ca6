package org.phrcloud.portal.signin;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.phrcloud.portal.ServerErrorPage;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * The sign-in while Keycloak cannot be reached. The OpenID Connect mechanism reads the provider's metadata (OpenID
 * Connect Discovery 1.0 section 4) or calls its token endpoint before anything else, and a failure to connect ends in a
 * bare {@code 500} with an empty page (the container's answer to a failed authentication module). Here it becomes the
 * portal's page "Signing in is not possible right now" with {@code 503 Service Unavailable} and {@code Retry-After}
 * ({@link ServerErrorPage#write}); the mechanism reports {@code SEND_CONTINUE}, so the container sends that page as it is.
 * Any other failure goes on unchanged.
 */
@SignInGuard
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_BEFORE)
public class SignInGuardInterceptor {
    private static final Logger LOG = Logger.getLogger(SignInGuardInterceptor.class.getName());

    @AroundInvoke
    public Object guard(InvocationContext call) throws Exception {
        if (!"validateRequest".equals(call.getMethod().getName()) || call.getParameters().length < 2
                || !(call.getParameters()[0] instanceof HttpServletRequest request)
                || !(call.getParameters()[1] instanceof HttpServletResponse response)) {
            return call.proceed();
        }
        try {
            return call.proceed();
        } catch (Exception e) {
            if (!unreachable(e)) {
                throw e;
            }
            LOG.warning("PHR-PORTAL-0003: the sign-in service cannot be reached (" + e.getClass().getName() + ")");
            ServerErrorPage.write(request, response, true);
            return AuthenticationStatus.SEND_CONTINUE;
        }
    }

    /** A connection to the provider that failed (refused, timed out, unknown host): an {@link IOException} among the causes. */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException
                    || t instanceof java.net.SocketTimeoutException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }
}
