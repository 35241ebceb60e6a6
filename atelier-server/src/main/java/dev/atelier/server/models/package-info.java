/**
 * The models a server serves: {@link dev.atelier.server.models.ModelSet} maps each model id that
 * {@code /v1/models} lists to its kind, its loading state and an engine that loads it on first use
 * (once, however many requests arrive while it loads), and under a memory budget unloads the least
 * recently used models that run no engine call.
 *
 * <p>Not here: which {@code model} names a request may send (the routes' {@code ModelNames}), and
 * how a model folder is found, pulled, loaded and sized (the CLI hands a loader and an estimate
 * in).
 */
package dev.atelier.server.models;
