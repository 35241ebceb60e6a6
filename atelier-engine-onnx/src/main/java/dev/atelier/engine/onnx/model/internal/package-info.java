/** Helpers of the model loader (CPU detection, half-float conversion); not a public API. */
package dev.atelier.engine.onnx.model.internal;
