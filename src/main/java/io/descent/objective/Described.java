package io.descent.objective;

import java.util.Map;

/** An objective with facts of its own for a run's JSON (a Spark objective's partitions and executors). */
public interface Described {
    /** Keys added to the run's JSON. */
    Map<String, Object> describe();
}
