package org.phrcloud.core.rest;

import jakarta.servlet.ServletContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

/** The APIs share the FHIR server's Spring context (one DataSource, one master patient index). */
public final class SpringBeans {
    private SpringBeans() {
    }

    public static <T> T get(ServletContext servletContext, Class<T> type) {
        return WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext).getBean(type);
    }

    /** A bean that is configured only sometimes (its factory returned null); null when absent. */
    public static <T> T find(ServletContext servletContext, Class<T> type) {
        return WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext).getBeanProvider(type).getIfAvailable();
    }
}
