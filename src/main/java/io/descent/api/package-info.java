/**
 * descent as a Java library: the public, stable surface. Open a device with {@link
 * io.descent.api.Descent}, wrap or read data with {@link io.descent.api.Data}, build a {@link
 * io.descent.api.Model}, and {@link io.descent.api.Model#fit fit} it with an optimizer named by a
 * spec string ("adam:lr=0.01", as on the command line) and {@link io.descent.api.Stop stopping
 * rules}. A {@link io.descent.api.Fit} holds the parameters, the history and where the time went.
 *
 * <p>Everything on the device belongs to the {@code Descent} session (and each model to itself):
 * close them with try-with-resources.
 *
 * <p>A fit gives a {@link io.descent.api.TrainedModel}: it predicts new rows given on their original
 * scale, evaluates them, and saves one versioned JSON model file that {@link
 * io.descent.api.TrainedModel#load} reads back.
 *
 * <p><b>Errors.</b> Every error the API throws is an {@link io.descent.DescentException}, whose
 * message is one line naming the value and what to do; these classes are public API too:
 * {@link io.descent.UsageException} (a bad value, option, file or row: the caller's to fix),
 * {@code io.descent.optim.SingularHessianException} (a Newton step met a Hessian that is not positive
 * definite) and {@code io.descent.train.DivergenceException} (the loss became infinite or rose far
 * above its start), both subclasses of {@code DescentException}. Messages name the API's methods and
 * arguments, not command-line flags.
 *
 * <p>Only this package (and the exceptions above) is public API; the others ({@code io.descent.cl}, {@code .optim}, {@code
 * .train}, ...) are descent's internals and may change between versions.
 */
package io.descent.api;
