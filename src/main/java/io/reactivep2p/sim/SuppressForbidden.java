package io.reactivep2p.sim;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts what it marks from the forbiddenapis check (src/forbidden-apis.txt): the simulator
 * makes the runtime its nodes take their randomness from, seeded.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR})
@interface SuppressForbidden {
    /** Why the exemption is right. */
    String reason();
}
