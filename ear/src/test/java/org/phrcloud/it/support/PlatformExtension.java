package org.phrcloud.it.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the {@link Platform} once for all test classes of the JVM; it is closed when the root context
 * closes. Register it before {@code ArquillianExtension}, so Keycloak runs and the Payara domain exists
 * when Arquillian starts Payara. Tests reach it through {@link #platform()} (Arquillian's extension
 * claims every method parameter, so it is not injected).
 */
public final class PlatformExtension implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PlatformExtension.class);
    private static volatile Platform started;

    @Override
    public void beforeAll(ExtensionContext context) {
        started = context.getRoot().getStore(NS).getOrComputeIfAbsent(Platform.class, k -> {
            Platform p = new Platform();
            try {
                p.start();
            } catch (Exception e) {
                p.close();
                throw new IllegalStateException("the test platform did not start: " + e.getMessage(), e);
            }
            return p;
        }, Platform.class);
    }

    /** @return the running platform; only valid in tests of a class extended with this extension */
    public static Platform platform() {
        if (started == null) {
            throw new IllegalStateException("PlatformExtension has not run: add @ExtendWith(PlatformExtension.class)");
        }
        return started;
    }
}
