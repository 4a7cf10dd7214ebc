package io.descent.objective;

import io.descent.data.DeviceDataset;

/**
 * Linear regression with the seeds' mean squared error: f(w) = (1/n) sum_i (x_i . w - y_i)^2
 * + alpha ||w||^2 (seed 003's alpha * Omega(W); the intercept is not penalised). Gradient
 * (2/n) X'(Xw - y) + 2 alpha w; Hessian (2/n) X'X + 2 alpha I, so one Newton step from anywhere
 * lands on the least-squares solution (seed 000).
 */
public final class LinearRegression extends LinearModel {
    public LinearRegression(DeviceDataset data, boolean intercept, double alpha) {
        super(data, intercept, alpha, 0);
    }

    @Override
    public boolean isQuadratic() {
        return true;
    }

    @Override
    public String name() {
        return "linear regression (" + parameterCount() + " parameters, " + rows() + " rows)";
    }
}
