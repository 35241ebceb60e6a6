package dev.atelier.cli;

import dev.atelier.core.Engine;
import dev.atelier.core.edit.ChatTranslator;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.Lexicon;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.model.ModelFolder;
import dev.atelier.engine.onnx.model.ModelKind;
import dev.atelier.engine.onnx.model.ModelTraits;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.openai.OpenAiEngine;
import dev.atelier.server.AtelierServer;
import dev.atelier.server.RequestLimits;
import dev.atelier.server.Role;
import dev.atelier.server.ServerConfig;
import dev.atelier.server.auth.AccessSettings;
import dev.atelier.server.images.PriceTable;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.server.jobs.WorkerReport;
import dev.atelier.server.models.ModelProfile;
import dev.atelier.server.models.ModelSet;
import dev.atelier.server.ops.DeferredEngine;
import dev.atelier.server.ops.Metrics;
import dev.atelier.server.ops.Operations;
import dev.atelier.server.ops.Readiness;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import dev.atelier.store.Worker;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code atelier serve}: the OpenAI-compatible HTTP server with sessions. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve OpenAI's Images API, Atelier sessions and the studio (local or upstream engine).",
      "--engine openai forwards to an OpenAI-compatible image API (key from $OPENAI_API_KEY).",
      "Endpoints: /v1/images/generations, /v1/images/edits, /v1/models, /v1/images/{id},",
      "/v1/sessions, /v1/edits/plan, /v1/edits/compose. Point any OpenAI SDK at",
      "http://HOST:PORT/v1. Data (SQLite database and image blobs) lives in --data-dir;",
      "--database-url and --blob-store s3://BUCKET/PREFIX put it in PostgreSQL and S3 instead.",
      "--role api and `atelier worker` split the HTTP API and the job workers over several",
      "processes sharing one PostgreSQL and one blob store."
    })
class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      description =
          "all: the HTTP API and the job workers in one process (the default). api: the HTTP API"
              + " only; loads no model, queues jobs for workers (served model ids from --model"
              + " ID, --demo, or the live workers). worker: runs jobs only, as `atelier worker`."
              + " api and worker need --database-url (PostgreSQL).")
  String roleName;

  /** {@code --data-dir} and {@code --database-url}, shared with {@code atelier keys}. */
  @Mixin StoreOptions store;

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description =
          "local (ONNX Runtime in this JVM) or openai (forwards to $OPENAI_BASE_URL, default"
              + " https://api.openai.com/v1, with $OPENAI_API_KEY). Default: $ATELIER_ENGINE, else"
              + " local.")
  String engine;

  @Option(
      names = "--allow-anonymous",
      description =
          "Serve a non-loopback --host without API keys: anyone who reaches it may generate and"
              + " read everything. Without this, such a --host needs a key (atelier keys create).")
  boolean allowAnonymous;

  @Option(
      names = "--allow-remote-images",
      description =
          "Fetch http(s) image URLs named in requests (public addresses only, 10 s, 50 MB).")
  boolean allowRemoteImages;

  @Option(
      names = "--grounding-model",
      paramLabel = "PATH",
      description =
          "CLIPSeg folder (Xenova/clipseg-rd64-refined layout) so edits find their region from"
              + " words, without a mask. Default: $ATELIER_GROUNDING_MODEL.")
  Path groundingModel;

  @Option(
      names = "--chat-model",
      paramLabel = "NAME",
      description =
          "OpenAI-compatible chat model that translates instruction words the bundled lexicon"
              + " lacks (uses $OPENAI_BASE_URL and $OPENAI_API_KEY). Default: none.")
  String chatModel;

  @Option(
      names = "--preload",
      description =
          "Before reporting ready (/readyz), run one 1-step image in the shape requests get by"
              + " default (the model's size, guidance 7.5, one image), so the first user request"
              + " does not pay for ONNX Runtime's first calls.")
  boolean preload;

  @Option(
      names = "--url-ttl",
      paramLabel = "TTL",
      defaultValue = "3600",
      description =
          "How long signed image URLs stay valid: seconds (3600) or a duration (PT2H, 90m, 1h)."
              + " Default: ${DEFAULT-VALUE} s.")
  String urlTtl;

  @Option(
      names = "--cors-origin",
      paramLabel = "ORIGIN",
      description =
          "An origin (https://app.example.com) whose pages may call the API from a browser;"
              + " repeatable. Default: none (CORS off).")
  java.util.List<String> corsOrigins = new java.util.ArrayList<>();

  @Option(
      names = "--max-memory",
      paramLabel = "SIZE",
      description =
          "With several --model: the most memory the loaded models may take together (12g,"
              + " 800m). Before a load would go over it, the least recently used models that run"
              + " no job are unloaded; they load again on their next request. A model's size is"
              + " estimated from its .onnx files and external data on disk. Default: no limit.")
  String maxMemory;

  @Mixin ModelOptions modelOptions;

  @Mixin UpstreamOptions upstreamOptions;

  @Mixin LimitOptions limitOptions;

  @Mixin JobOptions jobOptions;

  /** {@code --blob-store} and the S3 settings. */
  @Mixin BlobStoreOptions blobOptions;

  /** The environment the engine settings are read from (tests supply their own). */
  java.util.Map<String, String> env = System.getenv();

  /** Lets tests stop a running server. */
  final CountDownLatch stop = new CountDownLatch(1);

  /** Counted down once the server listens. */
  final CountDownLatch started = new CountDownLatch(1);

  /** Counted down once the server, the store and the engine are closed. */
  final CountDownLatch closed = new CountDownLatch(1);

  volatile AtelierServer server;

  /**
   * When set, the model loader waits for it before loading (tests that watch /readyz say loading).
   */
  volatile CountDownLatch loadGate;

  /** The engine being served and what the server announces about it. */
  record Served(String modelName, int defaultSide, String description, String engine) {}

  /** {@code --url-ttl}: whole seconds, an ISO-8601 duration, or a number with s, m, h or d. */
  private java.time.Duration urlTtl(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    java.time.Duration d;
    try {
      if (t.matches("\\d+")) {
        d = java.time.Duration.ofSeconds(Long.parseLong(t));
      } else if (t.matches("\\d+[smhd]")) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        d =
            switch (t.charAt(t.length() - 1)) {
              case 's' -> java.time.Duration.ofSeconds(n);
              case 'm' -> java.time.Duration.ofMinutes(n);
              case 'h' -> java.time.Duration.ofHours(n);
              default -> java.time.Duration.ofDays(n);
            };
      } else {
        d = java.time.Duration.parse(text.trim());
      }
    } catch (RuntimeException e) {
      d = java.time.Duration.ZERO;
    }
    if (d.isZero() || d.isNegative()) {
      throw new ParameterException(
          spec.commandLine(),
          "--url-ttl must be a positive number of seconds or a duration (3600, 90m, PT2H) but was '"
              + text
              + "'");
    }
    return d;
  }

  /**
   * What this process does, from {@code --role}.
   *
   * @throws ParameterException for another value
   */
  Role role() {
    if (roleName == null || roleName.isBlank()) {
      return Role.ALL;
    }
    for (Role r : Role.values()) {
      if (r.wire().equals(roleName.strip().toLowerCase(java.util.Locale.ROOT))) {
        return r;
      }
    }
    throw new ParameterException(
        spec.commandLine(), "--role must be all, api or worker but was '" + roleName + "'");
  }

  @Override
  public Integer call() throws Exception {
    Role role = role();
    String engineName = engine;
    if (engineName == null || engineName.isBlank()) {
      engineName = env.getOrDefault("ATELIER_ENGINE", "local");
    }
    if (!engineName.equals("local") && !engineName.equals("openai")) {
      throw new ParameterException(
          spec.commandLine(), "--engine must be local or openai but was '" + engineName + "'");
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be 0..65535 but was " + port);
    }
    RequestLimits limits = limitOptions.limits();
    JobRunner.Settings jobs = jobOptions.settings(engineName.equals("openai"));
    if (role == Role.API) {
      jobs = jobs.withWorkers(0); // an API node runs no job
    }
    java.time.Duration drainTimeout = jobOptions.drainTimeout();
    java.time.Duration ttl = urlTtl(urlTtl);
    Path data = StoreOptions.dataDir(store.dataDir);
    Stores.createDataDir(data);
    AccessSettings access;
    try {
      access = new AccessSettings(urlSecret(data), ttl, corsOrigins, java.time.Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--cors-origin: " + e.getMessage());
    }
    String jdbc = StoreOptions.databaseUrl(store.databaseUrl, System.getenv());
    if (role != Role.ALL && jdbc.isBlank()) {
      throw new ParameterException(
          spec.commandLine(),
          (role == Role.API ? "--role api" : "a worker")
              + " shares its queue with other processes, which needs PostgreSQL: give"
              + " --database-url (or ATELIER_DATABASE_URL); the SQLite database in --data-dir"
              + " serves one process (serve without --role)");
    }
    dev.atelier.store.DatabaseUrl database = store.parsedUrl(System.getenv());
    dev.atelier.store.PoolSettings pool = store.pool();
    boolean exposed = !AtelierServer.isLoopback(host);
    if (exposed && !allowAnonymous) {
      // Checked before a model loads: the answer must come at once, not after a minute of loading.
      try (MetadataStore keys = Stores.open(data, jdbc, pool)) {
        if (activeKeys(keys) == 0) {
          throw new ParameterException(
              spec.commandLine(),
              "--host "
                  + host
                  + " is reachable from other machines and no API key exists, so anyone could"
                  + " use this server; create a key first with `atelier keys create --name NAME`"
                  + " (same --data-dir/--database-url), or pass --allow-anonymous to serve"
                  + " everyone without keys");
        }
      }
    }
    boolean upstream = engineName.equals("openai");
    boolean demo = modelOptions.demo;
    if (role == Role.API) {
      if (maxMemory != null || groundingModel != null || preload) {
        throw new ParameterException(
            spec.commandLine(),
            "--role api loads no model, so --max-memory, --grounding-model and --preload belong"
                + " to the workers (atelier worker)");
      }
    }
    if (demo && upstream) {
      throw new ParameterException(
          spec.commandLine(), "--demo runs the local engine but --engine was openai");
    }
    if (demo) {
      modelOptions.requireNoModelWithDemo();
    }
    PriceTable prices = upstream ? upstreamOptions.prices() : PriceTable.empty();
    dev.atelier.server.BlobPolicy blobPolicy =
        blobOptions.policy(jdbc.isBlank(), blobOptions.location(env).isEmpty(), ttl);
    // Checked before a model is pulled or loaded: a wrong bucket or key must fail at once.
    BlobStore blobs = blobOptions.open(data, env);
    DemoModels demoModels;
    Pending pending;
    try {
      demoModels = demo ? DemoModels.extract(data) : null;
      // A missing model is pulled (or the first-run screen shown) before listening; a model that
      // is here loads while the server already listens and /readyz says "loading". An API node
      // loads none.
      pending = role == Role.API ? null : pending(upstream, demoModels, data);
    } catch (RuntimeException e) {
      blobs.close();
      throw e;
    }
    // Resources close in reverse order: `closed` is counted down after the engine and the stores.
    // SIGTERM, SIGINT and SIGHUP only count `stop` down (StopSignals): the JVM's shutdown, whose
    // hooks include ONNX Runtime's that frees its environment, begins once the engine is closed.
    try (StopSignals.Registration onSignal =
            StopSignals.register(
                n -> {
                  stoppedBy = n;
                  stop.countDown();
                });
        AutoCloseable signalClosed = closed::countDown;
        blobs;
        MetadataStore metadata = Stores.open(data, jdbc, pool);
        GroundingOption grounding =
            role == Role.API
                ? new GroundingOption(dev.atelier.core.edit.LocalEditor.NO_GROUNDER, null)
                : GroundingOption.load(
                    groundingModel == null && demo ? demoModels.grounding() : groundingModel,
                    modelOptions.settings());
        Operations ops = new Operations(new Metrics(), new Readiness(metadata));
        DeferredEngine eng =
            pending == null ? null : new DeferredEngine(pending.engineName(), ops.readiness());
        ModelSet models =
            pending == null
                ? ApiNodeModels.models(
                    modelOptions.models, demoModels, engineName, metadata, jobs.lease(), stop)
                : models(pending, eng)) {
      if (models == null) {
        return exitCode(); // stopped while waiting for a worker
      }
      Served served =
          pending != null
              ? pending.served()
              : ApiNodeModels.served(models, engineName, demoModels, upstream);
      ServerConfig config =
          new ServerConfig(
                  host,
                  port,
                  served.modelName(),
                  served.defaultSide(),
                  Instant.now(),
                  allowRemoteImages)
              .withEngine(eng == null ? engineName : eng.name(), prices)
              .withRole(role)
              .withDemo(demo)
              .withLimits(limits)
              .withAccess(access)
              .withJobs(jobs)
              .withBlobPolicy(blobPolicy);
      int keys = activeKeys(metadata);
      if (exposed && keys == 0) {
        org.slf4j.LoggerFactory.getLogger(ServeCommand.class)
            .warn(
                "--allow-anonymous: {} is reachable from other machines and NO API KEY is"
                    + " required; anyone who can reach it can generate, spend upstream credits"
                    + " and read every image (create a key with `atelier keys create --name NAME`)",
                host);
      }
      try (AtelierServer s =
          AtelierServer.start(
              models, grounding.grounder(), planner(), metadata, blobs, config, ops)) {
        server = s;
        WorkerReport report =
            role.runsJobs()
                ? new WorkerReport(
                    metadata,
                    s.jobs(),
                    eng.name(),
                    models.models().stream()
                        .map(m -> new Worker.Model(m.id(), m.kind().wire(), m.profile().wire()))
                        .toList(),
                    upstream ? "upstream" : modelOptions.deviceName(),
                    ops.readiness()::modelReady,
                    java.time.Clock.systemUTC())
                : null;
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.print(
            banner(
                s.port(),
                served,
                database,
                data,
                blobs.location()
                    + (blobPolicy.presign() ? " (image URLs redirect to presigned GETs)" : ""),
                grounding,
                keys,
                JobOptions.banner(jobs, drainTimeout),
                role));
        out.flush();
        Thread loader;
        if (pending != null) {
          loader = loader(pending, eng, ops.metrics());
        } else {
          ops.readiness().ready(); // nothing to load
          loader = new Thread(() -> {}, "atelier-model-loader");
        }
        loader.start();
        started.countDown();
        // A stop that StopSignals did not see (System.exit elsewhere, a JVM run with -Xrs) begins
        // the JVM's shutdown, which only waits for shutdown hooks: the hook lets this thread drain
        // (running jobs get --drain-timeout) and close the server, the engine and the store, and
        // waits for that.
        long hookWait = drainTimeout.toSeconds() + 30;
        Thread hook =
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    closed.await(hookWait, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "atelier-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stop.await();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The JVM is shutting down: the hook is already running and waits for `closed`.
        }
        drain(s, drainTimeout);
        if (report != null) {
          report.close(); // a clean stop: the row goes
        }
        // A model that is still loading is not abandoned half-open: the loader hands it to the
        // closed engine, which closes it.
        loader.join();
      }
    }
    RuntimeException failed = loadFailure;
    if (failed != null) {
      // The same message and exit code as when the model loaded before listening.
      throw failed;
    }
    return exitCode();
  }

  /** The signal that stopped the server, 0 if none did. */
  private volatile int stoppedBy;

  /** 0, or 128 plus the number of the signal that stopped the server (143 for SIGTERM). */
  private int exitCode() {
    return stoppedBy == 0 ? 0 : 128 + stoppedBy;
  }

  /**
   * The secret that signs image URLs: {@code $ATELIER_URL_SECRET} (at least 32 characters; every
   * API node of a deployment must have the same, so that a URL one node signed is good on all),
   * else the one kept in the data dir.
   */
  private byte[] urlSecret(Path data) {
    String shared = env.get("ATELIER_URL_SECRET");
    if (shared == null || shared.isBlank()) {
      return AccessSettings.secretIn(data);
    }
    byte[] bytes = shared.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new ParameterException(
          spec.commandLine(),
          "ATELIER_URL_SECRET must be at least 32 characters (openssl rand -hex 32) but was "
              + bytes.length);
    }
    return bytes;
  }

  /**
   * Drains {@code s} before it closes: readiness goes false, new work gets 503 with Retry-After,
   * running jobs get {@code timeout} to finish and the rest are given back to the queue.
   */
  private static void drain(AtelierServer s, java.time.Duration timeout) {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);
    int running = s.jobs().runningHere();
    if (running > 0) {
      log.info(
          "stopping: {} running job(s) get up to {} s to finish (--drain-timeout)",
          running,
          timeout.toSeconds());
    }
    dev.atelier.server.jobs.JobRunner.Drained drained = s.drain(timeout);
    int queued;
    try {
      queued = s.jobs().counts().queued();
    } catch (RuntimeException e) {
      queued = -1;
    }
    log.info(
        "stopped taking jobs: {} running job(s) given back to the queue, {} queued for the next"
            + " start",
        drained.givenBack(),
        queued < 0 ? "?" : queued);
    if (drained.stillRunning() > 0) {
      log.warn(
          "{} job(s) had not reached their next step 10 s after the cancel (one engine call"
              + " outlasts it); the drain gave them back itself",
          drained.stillRunning());
    }
    if (drained.notGivenBack() > 0) {
      log.warn(
          "{} running job(s) could not be given back (their lease was lost, or they ended first)",
          drained.notGivenBack());
    }
  }

  /** Why the model failed to load after the server started listening; serve then exits with it. */
  private volatile RuntimeException loadFailure;

  /**
   * The engine to load and what the server announces before it is loaded.
   *
   * @param engineName the engine's name ({@code local}, {@code openai}) for provenance
   * @param load opens the engine (on the loader thread, while the server listens)
   */
  private record Pending(
      Served served,
      String engineName,
      Supplier<Engine> load,
      ModelSet.Kind kind,
      ModelProfile profile,
      java.util.List<Further> further,
      long bytes,
      boolean reloadable) {
    Pending(Served served, String engineName, Supplier<Engine> load) {
      this(
          served,
          engineName,
          load,
          ModelSet.Kind.TEXT_TO_IMAGE,
          ModelProfile.UNKNOWN,
          java.util.List.of(),
          0,
          false);
    }
  }

  /**
   * A further {@code --model}: resolved before listening, loaded on its first request.
   *
   * @param bytes the estimate of its memory ({@link MemorySize#estimate})
   */
  private record Further(
      String id, ModelSet.Kind kind, ModelProfile profile, long bytes, Supplier<Engine> load) {}

  /**
   * The served models: the first behind {@code eng}, the further ones loaded on first use; with
   * {@code --max-memory} any of them, the first too, may be unloaded and loaded again.
   */
  private ModelSet models(Pending pending, DeferredEngine eng) {
    ModelSet.Builder b = ModelSet.builder();
    if (pending.reloadable()) {
      // The set closes eng when it unloads the first model (eng's own close is then a no-op).
      b.reloadable(
          pending.served().modelName(),
          pending.kind(),
          pending.profile(),
          eng,
          pending.bytes(),
          pending.load());
    } else {
      b.add(pending.served().modelName(), pending.kind(), pending.profile(), eng);
    }
    for (Further f : pending.further()) {
      b.lazy(f.id(), f.kind(), f.profile(), "local", f.bytes(), f.load());
    }
    if (maxMemory != null) {
      b.maxMemory(maxMemoryBytes());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--model: " + e.getMessage());
    }
  }

  /** {@code --max-memory} in bytes. */
  private long maxMemoryBytes() {
    try {
      return MemorySize.parse(maxMemory);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** What a model folder's UNet was trained for, from its config (text-to-image when unsure). */
  static ModelSet.Kind kindOf(Path folder) {
    try {
      long channels = ModelFolder.of(folder).config("unet").integer("in_channels", 4);
      return ModelSet.Kind.valueOf(ModelKind.ofChannels((int) channels).name());
    } catch (RuntimeException e) {
      return ModelSet.Kind.TEXT_TO_IMAGE;
    }
  }

  /**
   * What the server knows of the model folder at {@code folder} before loading it: its family,
   * native side, size multiple and whether it is a few-step model ({@link ModelTraits}); {@link
   * ModelProfile#UNKNOWN} when its configs cannot be read (the load then says why).
   */
  static ModelProfile profileOf(Path folder) {
    try {
      ModelTraits t = ModelTraits.of(folder);
      return new ModelProfile(
          t.sdxl() ? ModelProfile.Family.SDXL : ModelProfile.Family.SD,
          t.nativeSide(),
          t.sizeMultiple(),
          t.fewStep());
    } catch (RuntimeException e) {
      return ModelProfile.UNKNOWN;
    }
  }

  /**
   * What {@code serve} will run. An upstream engine is opened here (there is nothing to load); a
   * local model is resolved here, pulling it or failing with the first-run screen before the server
   * listens, and read for its name and native size without loading a graph.
   */
  private Pending pending(boolean upstream, DemoModels demoModels, Path data) {
    String local = "local (ONNX Runtime, " + modelOptions.settings().intraOpThreads() + " threads)";
    if (upstream && modelOptions.models.size() > 1) {
      throw new ParameterException(
          spec.commandLine(), "several --model run on the local engine but --engine was openai");
    }
    if (maxMemory != null) {
      maxMemoryBytes(); // checked before a model is pulled
      if (upstream) {
        throw new ParameterException(
            spec.commandLine(), "--max-memory unloads local models but --engine was openai");
      }
    }
    if (upstream) {
      OpenAiEngine openai = openUpstream();
      // The key is never printed: UpstreamConfig's toString redacts it, and only these fields show.
      Served served =
          new Served(
              openai.config().model(),
              UPSTREAM_DEFAULT_SIDE,
              openai.config().model(),
              "openai, forwarding to " + openai.config().baseUrl());
      return new Pending(served, openai.name(), () -> openai);
    }
    if (demoModels != null) {
      // Served like two --model: the inpainting model loads on the first masked edit.
      Served served =
          new Served(
              DemoModels.MODEL_NAME,
              StableDiffusionModel.defaultImageSide(demoModels.textToImage()),
              DemoModels.MODEL_NAME
                  + " (tiny-sd), "
                  + DemoModels.INPAINTING_NAME
                  + " (tiny-sd-inpaint, runs masked edits; loads on first use); random weights,"
                  + " the images are noise",
              local);
      Path inpainting = demoModels.inpainting();
      return new Pending(
          served,
          "local",
          () -> openDemo(demoModels.textToImage(), data),
          ModelSet.Kind.TEXT_TO_IMAGE,
          profileOf(demoModels.textToImage()),
          java.util.List.of(
              new Further(
                  DemoModels.INPAINTING_NAME,
                  ModelSet.Kind.INPAINTING,
                  profileOf(inpainting),
                  MemorySize.estimate(inpainting),
                  () -> openDemo(inpainting, data))),
          MemorySize.estimate(demoModels.textToImage()),
          true);
    }
    Path model =
        modelOptions.modelPath(
            modelOptions.models.isEmpty() ? null : modelOptions.models.get(0), data);
    String name = ModelFolder.of(model).name();
    // Further models are resolved (pulled, or the first-run screen shown) before listening too.
    java.util.List<Further> further = new java.util.ArrayList<>();
    StringBuilder description = new StringBuilder(name);
    for (String given : modelOptions.furtherModels()) {
      Path folder = modelOptions.modelPath(given, data);
      String id = ModelFolder.of(folder).name();
      further.add(
          new Further(
              id,
              kindOf(folder),
              profileOf(folder),
              MemorySize.estimate(folder),
              () -> modelOptions.load(folder, data, true)));
      description.append(", ").append(id);
    }
    if (!further.isEmpty()) {
      description.append(" (the first is the default; the others load on first use");
      if (maxMemory != null) {
        description
            .append("; at most ")
            .append(MemorySize.format(maxMemoryBytes()))
            .append(" loaded, the least recently used unload first");
      }
      description.append(")");
    }
    Served served =
        new Served(
            name, StableDiffusionModel.defaultImageSide(model), description.toString(), local);
    return new Pending(
        served,
        "local",
        () -> modelOptions.load(model, data, true),
        kindOf(model),
        profileOf(model),
        further,
        MemorySize.estimate(model),
        true);
  }

  /**
   * The thread that loads the engine into {@code eng} (and warms it up with {@code --preload}); on
   * failure it stops the server, and {@code serve} exits with the error.
   */
  private Thread loader(Pending pending, DeferredEngine eng, Metrics metrics) {
    // Said before the thread starts, so that /readyz names the model from the first answer on.
    eng.progress(0, "loading " + pending.served().modelName());
    return new Thread(
        () -> {
          long begin = System.nanoTime();
          try {
            CountDownLatch gate = loadGate;
            if (gate != null) {
              gate.await();
            }
            Engine loaded = pending.load().get();
            if (preload) {
              eng.progress(0.9, "warming up");
              warmUp(loaded);
            }
            metrics.modelLoaded(
                pending.served().modelName(),
                java.time.Duration.ofNanos(System.nanoTime() - begin));
            eng.set(loaded);
            org.slf4j.LoggerFactory.getLogger(ServeCommand.class)
                .info(
                    "model {} ready in {} ms",
                    pending.served().modelName(),
                    (System.nanoTime() - begin) / 1_000_000);
          } catch (RuntimeException e) {
            eng.fail(e.getMessage() == null ? e.toString() : e.getMessage());
            loadFailure = e;
            stop.countDown();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            eng.fail("interrupted");
          }
        },
        "atelier-model-loader");
  }

  private OpenAiEngine openUpstream() {
    return new OpenAiEngine(upstreamOptions.config(env));
  }

  /** One demo model (tiny-sd or tiny-sd-inpaint), extracted under the data dir. */
  private Engine openDemo(Path folder, Path data) {
    return OnnxEngine.load(
        folder, modelOptions.settings().withOptimizedCache(data.resolve("ort-cache")));
  }

  /** What a user needs to start using the server, printed once it listens. */
  private String banner(
      int boundPort,
      Served served,
      dev.atelier.store.DatabaseUrl database,
      Path data,
      String blobs,
      GroundingOption grounding,
      int keys,
      String jobs,
      Role role) {
    // Links must be clickable: a wildcard bind address is reached through localhost.
    String shownHost =
        host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "localhost" : host;
    if (shownHost.contains(":") && !shownHost.startsWith("[")) {
      shownHost = "[" + shownHost + "]";
    }
    String base = "http://" + shownHost + ":" + boundPort;
    StringBuilder b = new StringBuilder();
    if (role == Role.WORKER) {
      b.append("Atelier worker listening on ")
          .append(base)
          .append(" (/healthz, /readyz, /metrics)\n");
    } else {
      b.append("Atelier listening on ").append(base).append("/v1\n");
      row(b, "studio", base + "/");
      row(b, "API", base + "/v1 (any OpenAI SDK: base_url=" + base + "/v1)");
    }
    row(
        b,
        "role",
        switch (role) {
          case ALL -> "all (HTTP API and job workers in this process)";
          case API -> "api (queues jobs for workers; loads no model)";
          case WORKER -> "worker (runs the queued jobs of its models)";
        });
    row(b, "model", served.description());
    row(b, "engine", served.engine());
    row(
        b,
        "grounding",
        grounding.owned() != null
            ? "CLIPSeg (plain-words local edits find their region)"
            : "none (local edits need a mask; --grounding-model PATH)");
    if (database.isPostgresql()) {
      // Masked: the banner is copied into tickets and chat.
      row(b, "data", data.toAbsolutePath() + " (images)");
      row(b, "database", database.masked() + " (postgresql)");
    } else {
      row(b, "data", data.toAbsolutePath() + " (sqlite database)");
    }
    row(b, "blobs", blobs);
    row(b, "keys", apiKeys(keys));
    row(b, "jobs", jobs);
    row(b, "ops", base + "/readyz (200 once the model is loaded), /healthz, /metrics");
    return b.toString();
  }

  /** The banner's line about API keys, for {@code active} active keys at start. */
  static String apiKeys(int active) {
    if (active == 0) {
      return "none required (every request is accepted; any api_key works;"
          + " `atelier keys create --name NAME` turns keys on)";
    }
    return "required (" + active + (active == 1 ? " active key)" : " active keys)");
  }

  private static int activeKeys(MetadataStore metadata) {
    return (int) metadata.apiKeys().stream().filter(dev.atelier.store.ApiKey::active).count();
  }

  private static void row(StringBuilder b, String label, String value) {
    b.append("  ").append(label).append(':').append(" ".repeat(11 - label.length()));
    b.append(value).append('\n');
  }

  /** The side of {@code size: "auto"} on the upstream engine: GPT image models' square. */
  static final int UPSTREAM_DEFAULT_SIDE = 1024;

  /**
   * One 1-step image in the shapes a request without options runs: the model's default size, one
   * image, the default guidance (so the UNet calls have the rows guidance gives them), so every
   * session has run once at the served shapes. A second image was measured to buy nothing more
   * (docs/benchmarks.md, "Time to ready").
   */
  private void warmUp(Engine engine) {
    if (!(engine instanceof OnnxEngine onnx)) {
      return; // the demo models are fast enough, an upstream has nothing to warm
    }
    int side = onnx.model().defaultImageSide();
    var sampling = dev.atelier.core.SamplingParams.builder().steps(1).seed(0).build();
    onnx.generate(
        new dev.atelier.core.GenerationRequest(
            "warm-up", new dev.atelier.core.ImageSize(side, side), sampling),
        dev.atelier.core.ProgressListener.NONE,
        dev.atelier.core.CancellationToken.none());
  }

  private EditPlanner planner() {
    if (chatModel == null || chatModel.isBlank()) {
      return new EditPlanner();
    }
    String base = System.getenv().getOrDefault("OPENAI_BASE_URL", "https://api.openai.com/v1");
    String key = System.getenv().getOrDefault("OPENAI_API_KEY", "");
    return new EditPlanner(
        Lexicon.bundled(),
        new ChatTranslator(
            java.net.URI.create(base), key, chatModel, java.time.Duration.ofSeconds(15)));
  }

  static Path defaultDataDir() {
    String env = System.getenv("ATELIER_DATA_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".atelier");
  }
}
