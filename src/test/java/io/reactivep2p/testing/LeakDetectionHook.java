package io.reactivep2p.testing;

import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * Fails a jqwik property container when Netty reports a leaked buffer after it. Registered
 * globally through {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class LeakDetectionHook implements AfterContainerHook {

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        LeakChecks.assertNoLeaks(context.label());
    }
}
