/**
 * The arithmetic behind {@link dev.atelier.engine.onnx.rng.TorchGenerator}, kept apart so that the
 * public class stays small.
 *
 * <p>Holds the MT19937 engine ({@link dev.atelier.engine.onnx.rng.internal.Mt19937}) and the
 * float32 Cephes log/sincos polynomials of avx_mathfun ({@link
 * dev.atelier.engine.onnx.rng.internal.AvxMathFun}). Nothing here is API: other modules should use
 * the {@code rng} package, and nothing here knows about tensor shapes or normal distributions.
 */
package dev.atelier.engine.onnx.rng.internal;
