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
 * <p>Only this package is public API; the others ({@code io.descent.cl}, {@code .optim}, {@code
 * .train}, ...) are descent's internals and may change between versions.
 */
package io.descent.api;
