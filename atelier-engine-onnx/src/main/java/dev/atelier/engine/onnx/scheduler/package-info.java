/**
 * Denoising schedulers with the semantics and numerics of Hugging Face diffusers.
 *
 * <p>{@link dev.atelier.engine.onnx.scheduler.Schedulers} creates them by name ({@code euler},
 * {@code euler_a}, {@code euler_trailing}, {@code ddim}, {@code lcm}, {@code dpmpp_2m}, {@code
 * dpmpp_2m_karras}) or by diffusers class over a model's {@code scheduler_config.json} ({@link
 * dev.atelier.engine.onnx.scheduler.SchedulerConfig}). Each implementation of {@link
 * dev.atelier.engine.onnx.scheduler.Scheduler} follows one diffusers class: its config keys and
 * defaults, its step-index rules and its arithmetic precision (schedules built as diffusers builds
 * them in NumPy float64 or torch float32; per-step math in float32), so that trajectories match the
 * reference to float32 rounding.
 */
package dev.atelier.engine.onnx.scheduler;
