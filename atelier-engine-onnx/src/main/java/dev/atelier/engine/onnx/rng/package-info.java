/**
 * Standard-normal noise that reproduces torch's CPU generator, so that a seed gives the reference
 * pipeline's image.
 *
 * <p>{@link dev.atelier.engine.onnx.rng.NoiseSource} is what pipelines draw from. {@link
 * dev.atelier.engine.onnx.rng.TorchGenerator} is one torch CPU generator: shared by a batch it is
 * diffusers' batch mode (one draw for all images). {@link
 * dev.atelier.engine.onnx.rng.PerImageNoise} gives every image its own generator, diffusers' list
 * of generators, so each image is independent of the batch size.
 *
 * <p>Not here: deciding which mode or seeds a request uses, scheduler noise arithmetic (scaling by
 * sigma), and GPU generators, whose streams differ from the CPU one.
 */
package dev.atelier.engine.onnx.rng;
