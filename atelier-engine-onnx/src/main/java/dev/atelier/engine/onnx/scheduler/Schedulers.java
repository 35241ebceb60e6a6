package dev.atelier.engine.onnx.scheduler;

import dev.atelier.core.json.JsonValue;
import java.util.List;

/**
 * Creates schedulers by Atelier name or by diffusers class name.
 *
 * <p>The model folder's {@code scheduler_config.json} is the base config whatever class it was
 * written for; as with diffusers' {@code from_config}, the chosen class reads only the keys it
 * knows and takes its own defaults for the rest (and for keys listed in {@code
 * _use_default_values}).
 */
public final class Schedulers {
  private static final List<String> NAMES =
      List.of("euler", "euler_a", "euler_trailing", "ddim", "lcm", "dpmpp_2m", "dpmpp_2m_karras");
  private static final List<String> CLASSES =
      List.of(
          "EulerDiscreteScheduler",
          "EulerAncestralDiscreteScheduler",
          "DDIMScheduler",
          "LCMScheduler",
          "DPMSolverMultistepScheduler");

  private Schedulers() {}

  /** The accepted scheduler names, in display order. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * A new scheduler for {@code name} over {@code modelConfig}.
   *
   * <p>{@code euler_trailing} is Euler with {@code timestep_spacing = trailing}; {@code dpmpp_2m}
   * is DPM-Solver++ of order 2 with midpoint terms whatever the base config says (the name promises
   * that solver), and {@code dpmpp_2m_karras} adds {@code use_karras_sigmas = true}.
   *
   * @throws IllegalArgumentException for an unknown name or an invalid config value
   */
  public static Scheduler create(String name, SchedulerConfig modelConfig) {
    return switch (name) {
      case "euler" -> new EulerDiscreteScheduler(modelConfig);
      case "euler_a" -> new EulerAncestralDiscreteScheduler(modelConfig);
      case "euler_trailing" ->
          new EulerDiscreteScheduler(
              modelConfig.with("timestep_spacing", new JsonValue.Str("trailing")));
      case "ddim" -> new DdimScheduler(modelConfig);
      case "lcm" -> new LcmScheduler(modelConfig);
      case "dpmpp_2m" -> new DpmSolverMultistepScheduler(dpmpp2m(modelConfig));
      case "dpmpp_2m_karras" ->
          new DpmSolverMultistepScheduler(
              dpmpp2m(modelConfig).with("use_karras_sigmas", new JsonValue.Bool(true)));
      default ->
          throw new IllegalArgumentException(
              "scheduler must be one of " + String.join(", ", NAMES) + " but was '" + name + "'");
    };
  }

  private static SchedulerConfig dpmpp2m(SchedulerConfig c) {
    return c.with("algorithm_type", new JsonValue.Str("dpmsolver++"))
        .with("solver_order", new JsonValue.Num(2))
        .with("solver_type", new JsonValue.Str("midpoint"));
  }

  /**
   * A new scheduler of the diffusers class {@code className} (as in a config's {@code _class_name})
   * over {@code config}.
   *
   * @throws IllegalArgumentException for a class without an implementation here
   */
  public static Scheduler fromDiffusersClass(String className, SchedulerConfig config) {
    return switch (className) {
      case "EulerDiscreteScheduler" -> new EulerDiscreteScheduler(config);
      case "EulerAncestralDiscreteScheduler" -> new EulerAncestralDiscreteScheduler(config);
      case "DDIMScheduler" -> new DdimScheduler(config);
      case "LCMScheduler" -> new LcmScheduler(config);
      case "DPMSolverMultistepScheduler" -> new DpmSolverMultistepScheduler(config);
      default ->
          throw new IllegalArgumentException(
              "scheduler class must be one of "
                  + String.join(", ", CLASSES)
                  + " but was '"
                  + className
                  + "'");
    };
  }

  /** True when {@link #fromDiffusersClass} implements {@code className}. */
  public static boolean supportsClass(String className) {
    return CLASSES.contains(className);
  }

  /** The short name ({@code euler}, {@code euler_a}, ...) that {@link #create} takes for it. */
  public static String nameOf(Scheduler scheduler) {
    return switch (scheduler) {
      case EulerAncestralDiscreteScheduler e -> "euler_a";
      case EulerDiscreteScheduler e ->
          e.config().string("timestep_spacing", "linspace").equals("trailing")
              ? "euler_trailing"
              : "euler";
      case DdimScheduler d -> "ddim";
      case LcmScheduler l -> "lcm";
      case DpmSolverMultistepScheduler d ->
          d.config().bool("use_karras_sigmas", false) ? "dpmpp_2m_karras" : "dpmpp_2m";
      default -> scheduler.getClass().getSimpleName();
    };
  }
}
