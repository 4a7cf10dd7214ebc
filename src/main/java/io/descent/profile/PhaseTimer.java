package io.descent.profile;

import io.descent.cl.ClException;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

import java.util.ArrayDeque;
import java.util.EnumMap;

/**
 * Per-phase device and wall time of one command queue.
 *
 * <p><b>Device time</b> comes from OpenCL profiling events: every enqueued command hands its event to
 * {@link #record}; once the command has finished its START and END timestamps are read, added to its
 * phase, and the event is released. Events are read lazily (completed ones whenever new ones arrive,
 * all of them in {@link #totals()}), so timing never makes the host wait inside a step.
 *
 * <p><b>Wall time</b> is host time inside {@link #wall} scopes. Scopes nest; time is credited to the
 * innermost open scope only, so the per-phase wall times add up to the time spent in any scope.
 * A scope that enqueues work without waiting for it measures the enqueue cost, which is what a host
 * loop pays; a scope that reads a result also includes the wait.
 *
 * <p>Not thread-safe: one timer belongs to one queue driven by one thread.
 */
public final class PhaseTimer {
    /** Events kept unread before the oldest are waited for, bounding host memory and driver handles. */
    static final int MAX_PENDING = 4096;

    /** A recorded command; {@code since}, when not null, is a marker enqueued just before a library call. */
    private record Pending(Phase phase, cl_event event, cl_event since, long tag) {
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final long[] deviceNs = new long[Phase.values().length];
    private final long[] wallNs = new long[Phase.values().length];
    private final long[] ops = new long[Phase.values().length];
    private final ArrayDeque<Phase> scopes = new ArrayDeque<>();
    private long scopeSince;
    private long hostReads;
    private long eventsCreated;
    private long eventsReleased;
    private long tag = -1;
    private final java.util.HashMap<Long, Long> tagged = new java.util.HashMap<>();

    /**
     * Tags the commands recorded from now on with {@code tag} (e.g. the training step they belong
     * to), or stops tagging with -1; {@link #takeTagged} then gives the device time of each tag.
     * Tags have no effect on the phase totals.
     */
    public void tag(long tag) {
        this.tag = tag;
    }

    /** Forgets the device times of every tag. */
    public void clearTags() {
        tagged.clear();
    }

    /**
     * Device nanoseconds of the commands tagged {@code tag} that have been read so far (call
     * {@link #drainAll} first for all of them), and forgets them.
     */
    public long takeTagged(long tag) {
        Long ns = tagged.remove(tag);
        return ns == null ? 0 : ns;
    }

    /** Takes ownership of {@code event}, the event of a command just enqueued under {@code phase}. */
    public void record(Phase phase, cl_event event) {
        add(new Pending(phase, event, null, tag));
    }

    /**
     * Takes ownership of both events of a library call that enqueues several kernels but hands back
     * the event of its last one only (CLBlast does): {@code marker} was enqueued just before the call.
     * The call's device time is the span from the marker's end (the queue reached the call) to the last
     * kernel's end. On an in-order queue that covers all its kernels, plus any gap while the library
     * was still enqueueing on the host with the queue already empty.
     */
    public void recordSpan(Phase phase, cl_event marker, cl_event last) {
        eventsCreated++;
        add(new Pending(phase, last, marker, tag));
    }

    private void add(Pending p) {
        ops[p.phase().ordinal()]++;
        eventsCreated++;
        pending.addLast(p);
        if (pending.size() > MAX_PENDING) {
            drainCompleted();
            while (pending.size() > MAX_PENDING / 2) {
                readAndRelease(pending.pollFirst(), true);
            }
        }
    }

    /** Counts one operation of {@code phase} that has no device event (a program build). */
    public void countOperation(Phase phase) {
        ops[phase.ordinal()]++;
    }

    /**
     * Credits device time spent elsewhere (another process's device, such as a Spark executor's) to
     * {@code phase}.
     */
    public void addDevice(Phase phase, long nanos) {
        deviceNs[phase.ordinal()] += Math.max(0, nanos);
    }

    /**
     * Moves up to {@code nanos} of wall time already booked to {@code from} to {@code to}: a round
     * trip timed as a whole, of which a measured part was the other phase's work.
     */
    public void moveWall(Phase from, Phase to, long nanos) {
        long n = Math.max(0, Math.min(nanos, wallNs[from.ordinal()]));
        wallNs[from.ordinal()] -= n;
        wallNs[to.ordinal()] += n;
    }

    /** Counts one device-to-host read (the host waited for the queue). */
    public void countHostRead() {
        hostReads++;
    }

    /** Opens a wall-time scope for {@code phase}; close it (try-with-resources) when the work is done. */
    public Scope wall(Phase phase) {
        long now = System.nanoTime();
        Phase outer = scopes.peek();
        if (outer != null) {
            wallNs[outer.ordinal()] += now - scopeSince;
        }
        scopes.push(phase);
        scopeSince = now;
        return new Scope(phase);
    }

    /** Reads every finished event without waiting. */
    public void drainCompleted() {
        while (!pending.isEmpty() && isComplete(pending.peekFirst().event())) {
            readAndRelease(pending.pollFirst(), false);
        }
    }

    /** Waits for every recorded command, reads and releases all events. */
    public void drainAll() {
        while (!pending.isEmpty()) {
            readAndRelease(pending.pollFirst(), true);
        }
    }

    /** Totals so far; waits for pending commands so the device times are complete. */
    public PhaseTotals totals() {
        drainAll();
        EnumMap<Phase, PhaseStats> m = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            int i = p.ordinal();
            m.put(p, new PhaseStats(deviceNs[i], wallNs[i], ops[i]));
        }
        return new PhaseTotals(m, hostReads);
    }

    /** Drops all totals (pending events are read first so none leak). */
    public void reset() {
        drainAll();
        java.util.Arrays.fill(deviceNs, 0);
        java.util.Arrays.fill(wallNs, 0);
        java.util.Arrays.fill(ops, 0);
        hostReads = 0;
    }

    /** Events recorded but not yet released; 0 after {@link #drainAll()} unless something leaks. */
    public long liveEvents() {
        return eventsCreated - eventsReleased;
    }

    private static boolean isComplete(cl_event event) {
        int[] status = new int[1];
        ClException.check(CL.clGetEventInfo(event, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int,
                Pointer.to(status), null), "clGetEventInfo");
        if (status[0] < 0) {
            throw new ClException(status[0], "a command on the device");
        }
        return status[0] == CL.CL_COMPLETE;
    }

    private void readAndRelease(Pending p, boolean wait) {
        try {
            if (wait) {
                int rc = CL.clWaitForEvents(1, new cl_event[]{p.event()});
                if (rc == CL.CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) {
                    isComplete(p.event()); // throws with the command's own error code
                }
                ClException.check(rc, "clWaitForEvents");
            }
            long[] start = new long[1];
            long[] end = new long[1];
            ClException.check(CL.clGetEventProfilingInfo(p.since() != null ? p.since() : p.event(),
                    p.since() != null ? CL.CL_PROFILING_COMMAND_END : CL.CL_PROFILING_COMMAND_START, Sizeof.cl_ulong,
                    Pointer.to(start), null), "clGetEventProfilingInfo");
            ClException.check(CL.clGetEventProfilingInfo(p.event(), CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong,
                    Pointer.to(end), null), "clGetEventProfilingInfo");
            long ns = Math.max(0, end[0] - start[0]);
            deviceNs[p.phase().ordinal()] += ns;
            if (p.tag() >= 0) {
                tagged.merge(p.tag(), ns, Long::sum);
            }
        } finally {
            CL.clReleaseEvent(p.event());
            eventsReleased++;
            if (p.since() != null) {
                CL.clReleaseEvent(p.since());
                eventsReleased++;
            }
        }
    }

    /** A wall-time scope; closing it credits the elapsed time to its phase. */
    public final class Scope implements AutoCloseable {
        private final Phase phase;
        private boolean closed;

        private Scope(Phase phase) {
            this.phase = phase;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (scopes.peek() != phase) {
                throw new IllegalStateException("wall scopes closed out of order: " + phase + " inside " + scopes);
            }
            long now = System.nanoTime();
            wallNs[phase.ordinal()] += now - scopeSince;
            scopes.pop();
            scopeSince = now;
        }
    }
}
