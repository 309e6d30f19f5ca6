package org.phrcloud.core.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may call an endpoint. {@link AccessFilter} refuses everyone else: 401 without a valid token, 403 for a
 * party not listed, 401 {@code insufficient_user_authentication} for a person below {@code acr=2} (RFC 9470)
 * unless their party is in {@link #withoutStepUp()}. An endpoint without this annotation answers 403.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Access {
    /** The parties admitted. */
    Party[] value();

    /** Admitted parties who may call with password alone ({@code acr=1}); all others need {@code acr=2}. */
    Party[] withoutStepUp() default {};
}
