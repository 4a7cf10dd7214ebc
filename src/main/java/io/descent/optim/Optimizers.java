package io.descent.optim;

import io.descent.UsageException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The optimizers by command-line name. Each entry turns a {@link Spec} (name and options, e.g.
 * {@code keepstepping:max_steps=50,scale_i=2}) into an optimizer, applying the defaults the class
 * documents. Options common to all: {@code lr}, {@code schedule} is given separately.
 *
 * <p>First-order methods ({@link FirstOrder}): {@code gd}, {@code sgd}, {@code momentum},
 * {@code nesterov} ({@link Sgd}), {@code adagrad} ({@link AdaGrad}), {@code rmsprop}
 * ({@link RmsProp}), {@code adadelta} ({@link AdaDelta}), {@code adam} and {@code adamw}
 * ({@link Adam}); besides their own options each takes {@code clip}, and all but {@code gd} take
 * {@code batch} and {@code seed}.
 *
 * <p>Line-search methods ({@link SearchOptimizer}, with counters of gradients, forward-only losses,
 * mini-steps and host reads): {@code keepstepping} ({@link KeepStepping}), {@code keepvaulting}
 * ({@link KeepVaulting}), {@code backtracking} ({@link Backtracking}), {@code lbfgs} ({@link Lbfgs}).
 */
public final class Optimizers {
    private static final Map<String, Function<Spec, Optimizer>> REGISTRY = new LinkedHashMap<>();

    static {
        // Each optimizer registers here: register("adam", Adam::fromSpec);
        register("gd", Sgd::fromSpec);
        register("sgd", Sgd::fromSpec);
        register("momentum", Sgd::fromSpec);
        register("nesterov", Sgd::fromSpec);
        register("adagrad", AdaGrad::fromSpec);
        register("rmsprop", RmsProp::fromSpec);
        register("adadelta", AdaDelta::fromSpec);
        register("adam", Adam::fromSpec);
        register("adamw", Adam::fromSpec);
        register("keepstepping", KeepStepping::fromSpec);
        register("keepvaulting", KeepVaulting::fromSpec);
        register("backtracking", Backtracking::fromSpec);
        register("lbfgs", Lbfgs::fromSpec);
        register("newton", Newton::fromSpec);
        register("damped-newton", DampedNewton::fromSpec);
        register("newton-cg", NewtonCg::fromSpec);
    }

    private Optimizers() {
    }

    static void register(String name, Function<Spec, Optimizer> factory) {
        REGISTRY.put(name, factory);
    }

    /** Names known to the registry, in registration order. */
    public static Iterable<String> names() {
        return Collections.unmodifiableSet(REGISTRY.keySet());
    }

    /** The optimizer for "name" or "name:key=value,...", or a user error listing the names. */
    public static Optimizer parse(String text) {
        Spec spec = Spec.parse(text, "optimizer");
        Function<Spec, Optimizer> f = REGISTRY.get(spec.name().toLowerCase(java.util.Locale.ROOT));
        if (f == null) {
            throw new UsageException("unknown optimizer '" + spec.name() + "': choose one of "
                    + String.join(", ", REGISTRY.keySet()));
        }
        return f.apply(spec);
    }
}
