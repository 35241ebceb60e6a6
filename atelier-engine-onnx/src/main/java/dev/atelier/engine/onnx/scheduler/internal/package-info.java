/**
 * Schedule arithmetic shared by the schedulers: training betas and cumulative alphas, the NumPy
 * spacing and interpolation routines diffusers builds schedules with, Karras sigmas, the step-index
 * bookkeeping and config validation.
 *
 * <p>Each routine reproduces the precision of its diffusers counterpart (torch float32, NumPy
 * float64 or float32) so that schedules match bit for bit or to the last float32 ulp; the classes
 * here are not meant for use outside {@code dev.atelier.engine.onnx.scheduler}.
 */
package dev.atelier.engine.onnx.scheduler.internal;
