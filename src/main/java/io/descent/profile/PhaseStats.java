package io.descent.profile;

/**
 * Totals of one phase.
 *
 * @param deviceNanos summed device execution time (profiling END - START) of its commands
 * @param wallNanos   host wall time spent inside scopes of this phase, exclusive of nested scopes
 * @param operations  number of kernel launches and transfers enqueued under it
 */
public record PhaseStats(long deviceNanos, long wallNanos, long operations) {
    public static final PhaseStats ZERO = new PhaseStats(0, 0, 0);

    public double deviceSeconds() {
        return deviceNanos * 1e-9;
    }

    public double wallSeconds() {
        return wallNanos * 1e-9;
    }

    public PhaseStats plus(PhaseStats o) {
        return new PhaseStats(deviceNanos + o.deviceNanos, wallNanos + o.wallNanos, operations + o.operations);
    }

    public PhaseStats minus(PhaseStats o) {
        return new PhaseStats(deviceNanos - o.deviceNanos, wallNanos - o.wallNanos, operations - o.operations);
    }
}
