package io.descent.cli;

import io.descent.report.Table;
import io.descent.train.Experiment;
import io.descent.train.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/** {@code descent scenarios}: the seeds' experiments by name, one line each. */
@Command(name = "scenarios", mixinStandardHelpOptions = true,
        description = "List the scenarios (the seeds' experiments) usable with --scenario.")
final class ScenariosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = "--names", description = "Only the names, one per line (for scripts).")
    boolean names;

    @Override
    public Integer call() {
        if (names) {
            for (Scenario s : Scenario.all()) spec.commandLine().getOut().println(s.name());
            spec.commandLine().getOut().flush();
            return 0;
        }
        Table t = new Table("scenario", "steps", "optimizers", "target", "what");
        for (Scenario s : Scenario.all()) {
            Experiment e = new Experiment();
            s.apply(e);
            t.row(s.name(), e.keepSteps > 0 ? e.steps + " (keep*: " + e.keepSteps + ")" : e.steps, String.join(" ", e.optimizers.size() > 3
                    ? java.util.List.of(e.optimizers.get(0), e.optimizers.get(1), "... (" + e.optimizers.size() + ")")
                    : e.optimizers), io.descent.train.Targets.rule(e), s.summary());
        }
        spec.commandLine().getOut().print(t);
        spec.commandLine().getOut().println();
        spec.commandLine().getOut().println("target: f* + " + io.descent.train.Targets.FRACTION + " (f0 - f*), f0 the loss at the"
                + " start and f* the best known loss: every workload asks for 99.99% of the way from the start to the");
        spec.commandLine().getOut().println("optimum, and never for less than can be reached. compare reports the time to it;"
                + " --target-loss sets another.");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
