package io.descent.objective;

import java.util.Map;

/** An objective with facts of its own for a run's JSON (a Spark objective's partitions and executors). */
public interface Described {
    /** Keys added to the run's JSON. */
    Map<String, Object> describe();

    /** The timed run starts: what {@link #describe} reports of "the run" counts from here. */
    default void runStarted() {
    }

    /** The timed run has ended (before the final loss is measured outside it). */
    default void runEnded() {
    }

    /** Notes for the user after the run (a lost executor and what recovering took), or none. */
    default java.util.List<String> notes() {
        return java.util.List.of();
    }
}
