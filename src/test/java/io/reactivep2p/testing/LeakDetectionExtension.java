package io.reactivep2p.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a JUnit Jupiter test class when Netty reports a leaked buffer after it. Registered
 * for every class through {@code META-INF/services} and extension auto-detection.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        LeakChecks.assertNoLeaks(context.getDisplayName());
    }
}
