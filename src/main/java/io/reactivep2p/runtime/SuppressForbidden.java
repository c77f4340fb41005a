package io.reactivep2p.runtime;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts what it marks from the forbiddenapis check (src/forbidden-apis.txt): the runtime's
 * defaults, the one place that reads the machine's own clocks, randomness and schedulers.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.CONSTRUCTOR})
@interface SuppressForbidden {
    /** Why the exemption is right. */
    String reason();
}
