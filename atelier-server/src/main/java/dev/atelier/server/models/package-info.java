/**
 * The models a server serves: {@link dev.atelier.server.models.ModelSet} maps each model id that
 * {@code /v1/models} lists to its kind, its loading state and an engine that loads it on first use
 * (once, however many requests arrive while it loads).
 *
 * <p>Not here: which {@code model} names a request may send (the routes' {@code ModelNames}), how a
 * model folder is found, pulled and loaded (the CLI hands a loader in), and unloading models under
 * a memory budget (not yet: every model stays loaded once used).
 */
package dev.atelier.server.models;
