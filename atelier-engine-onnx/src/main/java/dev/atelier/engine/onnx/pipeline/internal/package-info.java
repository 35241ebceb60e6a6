/** Array helpers of the pipelines (batch/channel concatenation, scaling); not a public API. */
package dev.atelier.engine.onnx.pipeline.internal;
