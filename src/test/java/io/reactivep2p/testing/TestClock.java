package io.reactivep2p.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/** A wall clock that reads the milliseconds a test sets, for a {@code NodeRuntime}. */
public final class TestClock extends Clock {

    private final LongSupplier millis;

    private TestClock(LongSupplier millis) {
        this.millis = millis;
    }

    /** A clock whose time is what {@code millis} says (e.g. {@code atomicLong::get}). */
    public static TestClock of(LongSupplier millis) {
        return new TestClock(millis);
    }

    @Override
    public long millis() {
        return millis.getAsLong();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock is in UTC");
    }
}
