/**
 * Getting model folders from the Hugging Face Hub into a local cache.
 *
 * <p>{@link dev.atelier.engine.onnx.hub.HubClient} speaks the Hub's HTTP API (file listing,
 * resumable, retried and verified downloads); {@link dev.atelier.engine.onnx.hub.ModelCache} keeps
 * pulled folders under {@code <dataDir>/models} and only ever hands out complete ones; {@link
 * dev.atelier.engine.onnx.hub.ModelRegistry} holds the bundled short names such as {@code sd15}.
 * Loading a folder into ONNX Runtime is done in {@code model}, not here.
 */
package dev.atelier.engine.onnx.hub;
