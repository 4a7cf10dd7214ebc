package io.descent.profile;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** An immutable snapshot of every phase's totals, plus the number of host reads. */
public final class PhaseTotals {
    private final EnumMap<Phase, PhaseStats> stats;
    private final long hostReads;

    public PhaseTotals(Map<Phase, PhaseStats> stats, long hostReads) {
        this.stats = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            this.stats.put(p, stats.getOrDefault(p, PhaseStats.ZERO));
        }
        this.hostReads = hostReads;
    }

    public PhaseStats get(Phase phase) {
        return stats.get(phase);
    }

    public Map<Phase, PhaseStats> asMap() {
        return Collections.unmodifiableMap(stats);
    }

    /** Device-to-host reads: each one makes the host wait for the queue. */
    public long hostReads() {
        return hostReads;
    }

    public long deviceNanos() {
        return stats.values().stream().mapToLong(PhaseStats::deviceNanos).sum();
    }

    public long wallNanos() {
        return stats.values().stream().mapToLong(PhaseStats::wallNanos).sum();
    }

    /** Share of device time spent in {@code phase}, 0 when nothing ran. */
    public double deviceShare(Phase phase) {
        long total = deviceNanos();
        return total == 0 ? 0 : (double) get(phase).deviceNanos() / total;
    }

    /** This snapshot minus an earlier one: what happened in between. */
    public PhaseTotals minus(PhaseTotals earlier) {
        EnumMap<Phase, PhaseStats> d = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            d.put(p, get(p).minus(earlier.get(p)));
        }
        return new PhaseTotals(d, hostReads - earlier.hostReads);
    }

    /** These totals with the {@link Phase#BUILD} entry of {@code other} added (builds in the optimizer's init). */
    public PhaseTotals plusBuilds(PhaseTotals other) {
        EnumMap<Phase, PhaseStats> d = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) d.put(p, get(p));
        PhaseStats a = get(Phase.BUILD), b = other.get(Phase.BUILD);
        d.put(Phase.BUILD, new PhaseStats(a.deviceNanos() + b.deviceNanos(), a.wallNanos() + b.wallNanos(),
                a.operations() + b.operations()));
        return new PhaseTotals(d, hostReads);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Phase p : Phase.values()) {
            PhaseStats s = get(p);
            if (s.operations() > 0 || s.wallNanos() > 0) {
                sb.append(String.format("%s: device %.6f s, wall %.6f s, %d ops; ",
                        p.label(), s.deviceSeconds(), s.wallSeconds(), s.operations()));
            }
        }
        return sb.append("host reads: ").append(hostReads).toString();
    }
}
