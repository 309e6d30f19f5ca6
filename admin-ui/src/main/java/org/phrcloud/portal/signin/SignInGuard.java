package org.phrcloud.portal.signin;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Binds {@link SignInGuardInterceptor} to the portal's authentication mechanism ({@link SignInGuardExtension} adds it). */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SignInGuard {
    /** The annotation as a value, for {@link SignInGuardExtension}. */
    final class Literal extends AnnotationLiteral<SignInGuard> implements SignInGuard {
        public static final Literal INSTANCE = new Literal();
        private static final long serialVersionUID = 1L;
    }
}
