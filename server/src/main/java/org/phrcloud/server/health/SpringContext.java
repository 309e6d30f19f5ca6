package org.phrcloud.server.health;

import jakarta.servlet.ServletContext;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

/** The server's Spring context as the health checks see it: absent until it has started, and after it closed. */
final class SpringContext {
    private SpringContext() {
    }

    /** @return the running context, or null while it starts or once it is closed */
    static WebApplicationContext of(ServletContext servletContext) {
        WebApplicationContext context = WebApplicationContextUtils.getWebApplicationContext(servletContext);
        if (context instanceof org.springframework.context.ConfigurableApplicationContext c && !c.isActive()) {
            return null;
        }
        return context;
    }
}
