package org.phrcloud.portal.signin;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;

/**
 * Puts {@link SignInGuard} on every HTTP authentication mechanism of the application, the one Jakarta Security builds
 * from {@code PortalSecurity}'s {@code @OpenIdAuthenticationMechanismDefinition} included (its implementation is the
 * container's, so the binding cannot be written on the class; CDI 4.0 section 11.5.6, {@code ProcessAnnotatedType}).
 */
public class SignInGuardExtension implements Extension {
    <T extends HttpAuthenticationMechanism> void guard(@Observes ProcessAnnotatedType<T> type) {
        type.configureAnnotatedType().add(SignInGuard.Literal.INSTANCE);
    }
}
