/**
 * Helpers for the Hub client and the model cache: which files a pull takes, the Hub's tree JSON,
 * and file checksums. Not a public API.
 */
package dev.atelier.engine.onnx.hub.internal;
