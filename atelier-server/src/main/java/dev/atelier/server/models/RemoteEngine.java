package dev.atelier.server.models;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A model that workers in other processes run, as an API node (serve --role api) serves it: its
 * requests are checked and queued here and never run here, so calling it is a bug and fails with
 * 503. Its state on {@code /v1/models} and {@code /readyz} is what the workers report ({@link
 * Supplier} of a {@link ModelSet.Status}).
 */
public final class RemoteEngine implements Engine {
  private final String name;
  private final Supplier<ModelSet.Status> status;

  /**
   * Creates one.
   *
   * @param name the engine the workers run ({@code local}, {@code openai})
   * @param status the model's state as the workers report it
   */
  public RemoteEngine(String name, Supplier<ModelSet.Status> status) {
    this.name = Objects.requireNonNull(name, "name");
    this.status = Objects.requireNonNull(status, "status");
  }

  /** The model's state as the workers report it. */
  public ModelSet.Status status() {
    return status.get();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
    throw notHere();
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    throw notHere();
  }

  private static AtelierException.ModelUnavailable notHere() {
    return new AtelierException.ModelUnavailable(
        "this API node (serve --role api) loads no model; its jobs run on workers (atelier"
            + " worker)");
  }

  @Override
  public void close() {}
}
