/**
 * Atelier's local engine: Stable-Diffusion-family ONNX models run inside the JVM with ONNX Runtime.
 *
 * <p>{@link dev.atelier.engine.onnx.OnnxEngine} is the entry point. Subpackages hold one stage
 * each: {@code tokenizer} (CLIP BPE), {@code rng} (torch-exact noise), {@code scheduler}
 * (diffusers' schedulers), {@code model} (folder loading and ONNX Runtime sessions) and {@code
 * pipeline} (the denoising pipelines). Downloading models and serving HTTP live elsewhere.
 */
package dev.atelier.engine.onnx;
