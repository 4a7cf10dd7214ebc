package io.descent.cli;

import io.descent.UsageException;
import io.descent.train.Experiment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code descent spark}: descent on Apache Spark, each executor on its own OpenCL device. */
@Command(name = "spark", mixinStandardHelpOptions = true, subcommands = {SparkCommand.Train.class},
        description = {"Train on a Spark data set, each executor on its own OpenCL device.",
                "The executors hold their partitions on their devices; the driver runs the optimizer. Spark is not in",
                "descent.jar: './descent spark ...' adds Maven's copy (local mode), and on a cluster spark-submit",
                "provides it (see the README)."})
final class SparkCommand implements Runnable {
    @Override
    public void run() {
        throw new UsageException("descent spark needs a subcommand: descent spark train --master local[2] ...");
    }

    /** {@code descent spark train}: the options of {@code descent train}, over a Spark data set. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train one model with one optimizer over a Spark data set (full batch).",
                    "Example: descent spark train --master local[2] --input data.parquet --target y --optimizer newton"})
    static final class Train extends TrainCommand {
        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master, e.g. local[2] (one machine, two cores); under spark-submit its own.")
        String master;

        @Option(names = "--input", paramLabel = "PATH",
                description = "Data Spark reads: CSV with a header, Parquet, JSON or ORC (file or folder). Without it: "
                        + "--csv, or the scenario's generated data.")
        String input;

        @Option(names = "--format", paramLabel = "FMT", description = "csv, parquet, json or orc (default: from the name).")
        String format;

        @Option(names = "--columns", paramLabel = "COLS", split = ",",
                description = "Feature columns (default: every column but the target).")
        List<String> features;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Repartition the rows into N partitions (default: as read).")
        int partitions;

        @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable).")
        List<String> conf = new ArrayList<>();

        @Override
        void prepare(Experiment e) {
            if (partitions < 0) throw new UsageException("--partitions = " + partitions + " must be >= 1");
            if (dataParallel != null) throw new UsageException("--data-parallel is for one host; on Spark the executors share the rows");
            boolean softmax = "softmax".equalsIgnoreCase(e.objective)
                    || ("mlp".equalsIgnoreCase(e.objective) && "softmax".equalsIgnoreCase(e.loss));
            if (softmax) {
                throw new UsageException("softmax on Spark is not supported yet: its classes would be counted per partition, "
                        + "not over the cluster's rows; train it on one host (descent train --csv or --npy)");
            }
            try {
                Class.forName("org.apache.spark.sql.SparkSession");
            } catch (ClassNotFoundException missing) {
                throw new UsageException("Spark is not on the class path: run './descent spark ...' (it adds Maven's copy of"
                        + " Spark), or submit descent.jar with spark-submit");
            }
            e.external = io.descent.spark.SparkSource.of(new io.descent.spark.SparkSource.Options(master, input, format,
                    features, partitions, conf));
        }
    }
}
