package dev.atelier.cli;

import dev.atelier.engine.onnx.model.ModelFolder;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.server.models.ModelProfile;
import dev.atelier.server.models.ModelSet;
import dev.atelier.server.models.RemoteEngine;
import dev.atelier.server.models.WorkerModels;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The models an API node ({@code serve --role api}) serves without loading them: it checks requests
 * against their ids and kinds and queues their jobs for the workers that load them.
 *
 * <p>Where the ids come from, first match wins: {@code --demo} (the demo models' ids); {@code
 * --model} values, each taken as a served model id (a local model folder is read for its name and
 * kind, as a worker names it, and for its family and native side, which decide sizes; nothing is
 * pulled or loaded; an id is looked up among the live workers' models, whose rows carry kind and
 * profile); else the live workers in the {@code workers} table, waiting for the first one to
 * register. The list is fixed when the node starts; a model that a worker started later serves
 * needs {@code --model} or a restart of the API node.
 */
final class ApiNodeModels {
  private ApiNodeModels() {}

  /**
   * The served models, each behind a {@link RemoteEngine} whose state the workers report; {@code
   * null} when {@code stop} opened while waiting for a worker.
   */
  static ModelSet models(
      List<String> given,
      DemoModels demo,
      String engineName,
      MetadataStore metadata,
      Duration lease,
      CountDownLatch stop)
      throws InterruptedException {
    WorkerModels workers = new WorkerModels(metadata, lease, Clock.systemUTC());
    List<Worker.Model> served = new ArrayList<>();
    // What a local folder says of its model (family, native side): sizes map as on the worker.
    java.util.Map<String, ModelProfile> profiles = new java.util.HashMap<>();
    if (demo != null) {
      served.add(new Worker.Model(DemoModels.MODEL_NAME, ModelSet.Kind.TEXT_TO_IMAGE.wire()));
      served.add(new Worker.Model(DemoModels.INPAINTING_NAME, ModelSet.Kind.INPAINTING.wire()));
    } else if (!given.isEmpty()) {
      for (String g : given) {
        Path folder = Path.of(g);
        if (Files.isDirectory(folder)) {
          String id = ModelFolder.of(folder).name();
          served.add(new Worker.Model(id, ServeCommand.kindOf(folder).wire()));
          profiles.put(id, ServeCommand.profileOf(folder));
        } else {
          served.add(
              workers.served().stream()
                  .filter(m -> m.id().equals(g))
                  .findFirst()
                  .orElse(new Worker.Model(g, ModelSet.Kind.TEXT_TO_IMAGE.wire())));
        }
      }
    } else {
      boolean said = false;
      while ((served = workers.served()).isEmpty()) {
        if (!said) {
          LoggerFactory.getLogger(ApiNodeModels.class)
              .info(
                  "waiting for a worker to register the models it serves (atelier worker, same"
                      + " --database-url), or give this API node --model ID");
          said = true;
        }
        if (stop.await(1, TimeUnit.SECONDS)) {
          return null;
        }
      }
    }
    ModelSet.Builder b = ModelSet.builder();
    for (Worker.Model m : served) {
      String id = m.id();
      b.add(
          id,
          kindOf(m.kind()),
          // A local folder's own profile, else what the workers serving it reported.
          profiles.getOrDefault(id, ModelProfile.parse(m.profile())),
          new RemoteEngine(engineName, () -> workers.status(id)));
    }
    return b.build();
  }

  /** What the API node announces for {@code models}. */
  static ServeCommand.Served served(
      ModelSet models, String engineName, DemoModels demo, boolean upstream) {
    int side =
        demo != null
            ? StableDiffusionModel.defaultImageSide(demo.textToImage())
            : upstream ? ServeCommand.UPSTREAM_DEFAULT_SIDE : 512;
    return new ServeCommand.Served(
        models.ids().getFirst(),
        side,
        String.join(", ", models.ids()) + " (run by workers; the first is the default)",
        engineName + " (on the workers; this node loads no model)");
  }

  private static ModelSet.Kind kindOf(String wire) {
    for (ModelSet.Kind k : ModelSet.Kind.values()) {
      if (k.wire().equals(wire.toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    return ModelSet.Kind.TEXT_TO_IMAGE;
  }
}
