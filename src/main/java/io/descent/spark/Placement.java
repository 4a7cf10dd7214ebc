package io.descent.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Spreads the partitions over the executors before they are cached and uploaded: partition i goes
 * to executor i mod E (the executors in a stable order), E being every executor running. Spark would
 * otherwise give each partition to whichever executor had a free core first, and then keep it
 * there (a cached partition's tasks go where it is cached): 4 runs in 11 put 3 of 4 partitions on
 * one executor of two. The plan is a location preference (Spark's "executor_HOST_ID"), so when an
 * executor is lost its partitions are rebuilt on those left; when a replacement executor joins,
 * {@link SparkObjective} spreads them again ({@link #respread}).
 */
final class Placement {
    private Placement() {
    }

    /** The rows, cached where the plan puts them (in local mode, or with one executor: as they are). */
    static JavaRDD<Row> place(JavaSparkContext jsc, JavaRDD<Row> rows, boolean separateExecutors) {
        List<String> executors = separateExecutors ? executors(jsc) : List.of();
        if (executors.size() < 2) {
            return rows.persist(StorageLevel.MEMORY_AND_DISK());
        }
        return planned(jsc, rows, executors);
    }

    /**
     * The placed rows spread again over {@code executors} (at least two), read from where they are
     * cached now: after a replacement executor joined, blocks rebuilt on the executors left go back
     * to being one executor's share each. The caller unpersists the old placement once the new one
     * is cached.
     */
    static JavaRDD<Row> respread(JavaSparkContext jsc, JavaRDD<Row> placed, List<String> executors) {
        if (executors.size() < 2) throw new IllegalArgumentException("spreading over " + executors.size() + " executors");
        return planned(jsc, placed, executors);
    }

    /** Partition i of {@code rows}, with the location preference executors[i mod E], persisted. */
    private static JavaRDD<Row> planned(JavaSparkContext jsc, JavaRDD<Row> rows, List<String> executors) {
        int parts = rows.getNumPartitions();
        List<Tuple2<Integer, scala.collection.immutable.Seq<String>>> plan = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            List<String> where = List.of(executors.get(i % executors.size()));
            plan.add(new Tuple2<>(i, scala.jdk.javaapi.CollectionConverters.asScala(where).toList()));
        }
        ClassTag<Integer> tag = ClassTag$.MODULE$.apply(Integer.class);
        JavaRDD<Integer> planned = JavaRDD.fromRDD(jsc.sc().makeRDD(scala.jdk.javaapi.CollectionConverters.asScala(plan).toList(),
                tag), tag);
        return planned.zipPartitions(rows, (Iterator<Integer> ids, Iterator<Row> it) -> it)
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** The executors running now, as location preferences "executor_HOST_ID", in a stable order. */
    static List<String> executors(JavaSparkContext jsc) {
        return probes(jsc).map(i -> where()).distinct().collect().stream().sorted().toList();
    }

    /**
     * Many tiny tasks (at least 8, 4 per core): enough that every executor running takes some. For
     * jobs that must reach each executor, not a partition: finding them, freeing their blocks.
     */
    static JavaRDD<Integer> probes(JavaSparkContext jsc) {
        int tasks = Math.max(8, 4 * jsc.defaultParallelism());
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) ids.add(i);
        return jsc.parallelize(ids, tasks);
    }

    private static String where() {
        SparkEnv env = SparkEnv.get();
        return "executor_" + env.blockManager().blockManagerId().host() + "_" + env.executorId();
    }
}
