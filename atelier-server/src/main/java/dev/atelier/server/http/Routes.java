package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Ids;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.ServerConfig;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.auth.ImageUrls;
import dev.atelier.server.auth.SignedUrls;
import dev.atelier.server.images.ImageService;
import dev.atelier.server.images.Library;
import dev.atelier.server.images.SessionSpend;
import dev.atelier.server.images.Sessions;
import dev.atelier.server.images.TokenUsage;
import dev.atelier.server.models.ModelProfile;
import dev.atelier.server.models.ModelSet;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every endpoint: OpenAI's Images API, models, stored images, and sessions. */
public final class Routes {
  private final ImageService images;
  private final ServerConfig config;
  private final RemoteImages remote;
  private final JobSubmission jobs;
  private final SignedUrls signer;

  /**
   * The routes of a server with {@code config}, doing their work with {@code images}; image work
   * runs as jobs of {@code runner} ({@link #use}).
   */
  public Routes(ImageService images, ServerConfig config) {
    this.images = images;
    this.config = config;
    this.remote = new RemoteImages(config.allowRemoteImages(), config.limits().maxImageBytes());
    this.signer = new SignedUrls(config.access());
    this.jobs = new JobSubmission(this, images, config);
  }

  /** Runs image work with {@code runner} (made with {@link #prepareJob} as its executor). */
  public void use(dev.atelier.server.jobs.JobRunner runner) {
    jobs.use(runner);
  }

  /**
   * Where a route's preparation runs: the request, and the services as its caller (and its job's
   * held-back writes) see them.
   */
  record Scope(
      ApiRequest req,
      ImageService images,
      Sessions sessions,
      ImageInputs inputs,
      ImageUrls urls,
      Json.Limits jsonLimits) {
    /** The JSON body's fields; a multipart body is refused as on any JSON-only route. */
    JsonFields fields() {
      if (req.multipart()) {
        throw new AtelierException.InvalidRequest(
            "",
            req.route().replace('.', '/')
                + " takes a JSON body (Content-Type: application/json) but got"
                + " multipart/form-data; multipart forms are taken by /v1/images/edits,"
                + " /v1/images/variations, /v1/sessions and session rounds");
      }
      return new JsonFields(body(req.json(), jsonLimits));
    }

    /** The edit inputs (images, mask, fields) of a JSON or multipart body. */
    EditInputs editInputs(boolean imageRequired) {
      return EditInputs.read(req, jsonLimits, inputs, imageRequired);
    }

    Caller caller() {
      return req.caller();
    }
  }

  /** The scope of {@code req}, its metadata writes going to {@code writes}. */
  Scope scope(ApiRequest req, dev.atelier.store.MetadataStore writes) {
    ImageService own = images.forCaller(req.caller()).withMetadata(writes);
    return new Scope(
        req,
        own,
        new Sessions(own, req.caller()),
        new ImageInputs(writes, images.blobs(), remote, config.limits(), req.caller()),
        new ImageUrls(req.base(), signer),
        config.limits().jsonLimits());
  }

  /** What a route's preparation makes of a valid request. */
  sealed interface Plan {}

  /** Answered at once, no job (a dry run). */
  record Immediate(int status, JsonValue.Obj body) implements Plan {}

  /**
   * Image work for a job.
   *
   * @param n the images it makes
   * @param stream whether the request asked for server-sent events
   * @param setup what its events describe (partial images too), empty for session work
   * @param execution the work
   */
  record Work(
      int n,
      boolean stream,
      java.util.Optional<ImageEventStream.Setup> setup,
      dev.atelier.server.jobs.JobExecutor.Execution execution)
      implements Plan {
    /** Work of {@code s}'s model: its execution says which, for the job metrics. */
    Work(
        Scope s,
        int n,
        boolean stream,
        java.util.Optional<ImageEventStream.Setup> setup,
        dev.atelier.server.jobs.JobExecutor.Execution execution) {
      this(
          n,
          stream,
          setup,
          dev.atelier.server.jobs.JobExecutor.Execution.on(s.images().model().id(), execution));
    }
  }

  /** A job as its events carry it (URLs as stored). */
  public JsonValue.Obj renderJob(dev.atelier.store.Job job) {
    return jobs.render(job, null);
  }

  /** Prepares {@code kind}'s request in {@code s}. */
  Plan prepare(JobKind kind, Scope s) {
    return switch (kind) {
      case GENERATIONS -> generations(s);
      case EDITS -> edits(s);
      case VARIATIONS -> variations(s);
      case SESSION_CREATE -> createSession(s);
      case SESSION_ROUND -> addRound(s);
      case SESSION_RESTART -> restart(s);
    };
  }

  /**
   * The {@link dev.atelier.server.jobs.JobExecutor} of this server: prepares a stored job's request
   * as its route prepared it when it arrived.
   */
  public dev.atelier.server.jobs.JobExecutor.Execution prepareJob(
      dev.atelier.store.Job job, dev.atelier.server.jobs.PendingWrites writes) {
    ApiRequest req = ApiRequest.load(job.request(), images.blobs());
    JobKind kind = JobKind.ofRoute(req.route());
    return switch (prepare(kind, scope(req, writes))) {
      case Work w -> withPartials(w);
      case Immediate i ->
          (progress, cancel) ->
              new dev.atelier.server.jobs.JobExecutor.Outcome(i.status(), i.body(), 0, null);
    };
  }

  /**
   * {@code w}'s execution, listening as the request's own listener listens where it was submitted:
   * its partial images (the stored request's {@code partial_images}) go into the job's events, from
   * which streams here and in other processes read them.
   */
  private static dev.atelier.server.jobs.JobExecutor.Execution withPartials(Work w) {
    var execution = w.execution();
    if (w.setup().isEmpty() || w.setup().get().spec().partialImages() == 0) {
      return execution;
    }
    ImageEventStream.Setup setup = w.setup().get();
    return new dev.atelier.server.jobs.JobExecutor.Execution() {
      @Override
      public dev.atelier.server.jobs.JobExecutor.Outcome run(
          dev.atelier.core.ProgressListener progress, dev.atelier.core.CancellationToken cancel) {
        return execution.run(progress, cancel);
      }

      @Override
      public dev.atelier.core.ProgressListener listener(dev.atelier.server.jobs.JobEvents events) {
        return JobSubmission.partials(dev.atelier.core.ProgressListener.NONE, setup, events);
      }

      @Override
      public String model() {
        return execution.model();
      }
    };
  }

  /** The sessions the request's caller may see and change. */
  private Sessions sessions(Context ctx) {
    return new Sessions(images, Caller.of(ctx));
  }

  /**
   * The bounds request bodies are parsed within, kept as app data so that every reader of a body
   * ({@link #body}, {@link EditInputs}) applies the server's limits, not the core's defaults.
   */
  private static final io.javalin.config.Key<Json.Limits> JSON_LIMITS =
      new io.javalin.config.Key<>("atelier.jsonLimits");

  /** Registers every route (and what they share) on {@code c}. */
  public void register(JavalinConfig c) {
    c.appData(JSON_LIMITS, config.limits().jsonLimits());
    c.appData(SIGNER, signer);
    c.routes.post("/v1/images/generations", ctx -> jobs.submit(ctx, JobKind.GENERATIONS));
    c.routes.post("/v1/images/edits", ctx -> jobs.submit(ctx, JobKind.EDITS));
    c.routes.post("/v1/images/variations", ctx -> jobs.submit(ctx, JobKind.VARIATIONS));
    c.routes.get("/v1/images/{id}", this::image);
    c.routes.get("/v1/images/{id}/content", this::content);
    c.routes.get("/v1/models", this::models);
    c.routes.post("/v1/edits/plan", this::plan);
    c.routes.post("/v1/edits/compose", this::compose);
    c.routes.post("/v1/sessions", ctx -> jobs.submit(ctx, JobKind.SESSION_CREATE));
    c.routes.get(
        "/v1/sessions/{id}",
        ctx -> send(ctx, 200, sessionJson(sessions(ctx).session(ctx.pathParam("id")), ctx)));
    c.routes.delete("/v1/sessions/{id}", this::deleteSession);
    c.routes.post("/v1/sessions/{id}/rounds", ctx -> jobs.submit(ctx, JobKind.SESSION_ROUND));
    c.routes.post(
        "/v1/sessions/{id}/undo",
        ctx -> send(ctx, 200, sessionJson(sessions(ctx).undo(ctx.pathParam("id")), ctx)));
    c.routes.post("/v1/sessions/{id}/checkout", this::checkout);
    c.routes.post("/v1/sessions/{id}/restart", ctx -> jobs.submit(ctx, JobKind.SESSION_RESTART));
    new Gallery(images.metadata()).register(c);
    new UsageReport(images.metadata(), config.prices()).register(c);
    new WorkerRoutes(images.metadata(), config.jobs().lease(), java.time.Clock.systemUTC())
        .register(c);
    jobs.register(c);
  }

  /** The routes that answer only POST, which {@code GET /v1/images/{id}} must not swallow. */
  private static final java.util.Set<String> POST_ONLY_IMAGE_ROUTES =
      java.util.Set.of("generations", "edits", "variations");

  /** The methods a path answers where Javalin's own count would mislead (POST-only routes). */
  public static java.util.Optional<String> allowed(String path) {
    String prefix = "/v1/images/";
    if (path.startsWith(prefix)
        && POST_ONLY_IMAGE_ROUTES.contains(path.substring(prefix.length()))) {
      return java.util.Optional.of("POST");
    }
    return java.util.Optional.empty();
  }

  static JsonValue.Obj body(Context ctx) {
    return body(text(ctx), ctx.appData(JSON_LIMITS));
  }

  /**
   * The body of a JSON route as text; a form body is refused (multipart is read by {@link
   * ApiRequest} on the routes that take it).
   */
  static String text(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    if (type.startsWith("multipart/form-data")
        || type.startsWith("application/x-www-form-urlencoded")) {
      throw new AtelierException.InvalidRequest(
          "",
          ctx.path()
              + " takes a JSON body (Content-Type: application/json) but got "
              + type.replaceAll(";.*", "")
              + "; multipart forms are taken by /v1/images/edits, /v1/images/variations,"
              + " /v1/sessions and session rounds");
    }
    return utf8(ctx.bodyAsBytes());
  }

  /** {@code text} parsed as a JSON body within {@code limits}: an object, or {} when blank. */
  static JsonValue.Obj body(String text, Json.Limits limits) {
    if (text.isBlank()) {
      return new JsonValue.Obj(Map.of());
    }
    JsonValue v;
    try {
      v = Json.parse(text, limits);
    } catch (dev.atelier.core.json.JsonReadException e) {
      // Name the field whose value could not be read ({"seed": 1e}, a 400-digit n) as param.
      String field = e.member().orElse("");
      throw new AtelierException.InvalidRequest(
          field,
          "the request body is not valid JSON"
              + (field.isEmpty() ? "" : " in " + field)
              + ": "
              + e.getMessage());
    }
    if (v instanceof JsonValue.Obj o) {
      return o;
    }
    throw new AtelierException.InvalidRequest(
        "", "the request body must be a JSON object but was " + kind(v));
  }

  /**
   * The body as UTF-8, which RFC 8259 requires of JSON on the wire: a malformed byte is refused,
   * not turned into U+FFFD inside a prompt that would then be stored as something the client never
   * sent.
   */
  private static String utf8(byte[] body) {
    var decoder =
        java.nio.charset.StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body);
    try {
      return decoder.decode(in).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new AtelierException.InvalidRequest(
          "",
          "the request body is not valid JSON: JSON text must be UTF-8 but byte "
              + in.position()
              + " is not");
    }
  }

  private static String kind(JsonValue v) {
    return switch (v) {
      case JsonValue.Obj o -> "an object";
      case JsonValue.Arr a -> "an array";
      case JsonValue.Str s -> "a string";
      case JsonValue.Num n -> "a number";
      case JsonValue.Bool b -> "a boolean";
      case JsonValue.Null n -> "null";
    };
  }

  static void send(Context ctx, int status, JsonValue body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }

  /** A session with its round tree and what it has cost upstream. */
  private JsonValue.Obj sessionJson(Session s, Context ctx) {
    return sessionJson(s, images.metadata(), urls(ctx));
  }

  /** A session with its round tree and its spend, as {@code metadata} has it. */
  private JsonValue.Obj sessionJson(
      Session s, dev.atelier.store.MetadataStore metadata, ImageUrls urls) {
    return SessionSpend.of(s, metadata, config.prices()).addTo(ApiJson.session(s, urls));
  }

  /** A session as a job's scope sees it (with the job's own rounds). */
  private JsonValue.Obj sessionJson(Session session, Scope s) {
    return sessionJson(session, s.images().metadata(), s.urls());
  }

  /** A round's result, its session with the spend. */
  private JsonValue.Obj roundJson(Sessions.RoundResult r, Scope s) {
    Map<String, JsonValue> m = new LinkedHashMap<>(ApiJson.roundResult(r, s.urls()).members());
    m.put("session", sessionJson(r.session(), s));
    return new JsonValue.Obj(m);
  }

  static String base(Context ctx) {
    return ctx.scheme() + "://" + ctx.host();
  }

  /** The signer of image URLs, kept as app data so that every route signs with one secret. */
  private static final io.javalin.config.Key<SignedUrls> SIGNER =
      new io.javalin.config.Key<>("atelier.signedUrls");

  /** The signed image URLs of {@code ctx}'s response. */
  static ImageUrls urls(Context ctx) {
    return new ImageUrls(base(ctx), ctx.appData(SIGNER));
  }

  /** Checks the fields and the model a request to {@code endpoint} sent. */
  private JsonFields checked(Endpoint endpoint, JsonFields f) {
    endpoint.check(f);
    ModelNames.pick(f, images.models().ids());
    return f;
  }

  /**
   * {@code asked} running the model its request's {@code model} picks (checked by {@link
   * #checked}): the one place a request's work is bound to an engine, so a stored job, prepared
   * again after a restart, picks the same model from the same fields.
   */
  private Scope forModel(Scope asked, JsonFields f) {
    return running(asked, ModelNames.pick(f, images.models().ids()));
  }

  /**
   * Like {@link #forModel} for a round or restart of session {@code sessionId}: a served model the
   * request names by its id runs it; without one ({@code model} absent, {@code atelier} or an
   * OpenAI name) the model the session was created with does, so a session keeps its model. Naming
   * another served model is allowed, like any other parameter a round names: that round runs on it
   * and the session keeps its own model for the next.
   */
  private Scope forSession(Scope asked, JsonFields f, String sessionId) {
    List<String> ids = images.models().ids();
    String picked = ModelNames.pick(f, ids);
    if (!ids.contains(f.string("model").orElse(""))) {
      picked = asked.sessions().model(sessionId).orElse(picked);
    }
    return running(asked, picked);
  }

  /**
   * The request's generation fields read for the model {@code s} runs: its native square for {@code
   * size: "auto"}, SDXL buckets for OpenAI's sizes, its family's default steps and guidance.
   */
  private GenerationOptions options(Scope s, JsonFields f) {
    return GenerationOptions.read(f, s.images().model().profile(), config.defaultSide());
  }

  /** {@code asked} running the served model {@code id}. */
  private static Scope running(Scope asked, String id) {
    ImageService picked = asked.images().forModel(id);
    return new Scope(
        asked.req(),
        picked,
        new Sessions(picked, asked.caller()),
        asked.inputs(),
        asked.urls(),
        asked.jsonLimits());
  }

  private Plan generations(Scope asked) {
    ImageInputs inputs = asked.inputs();
    JsonFields f = checked(Endpoint.GENERATIONS, asked.fields());
    Scope s = forModel(asked, f);
    BatchInputs batch = BatchInputs.read(f, options(s, f));
    GenerationOptions o = batch.options();
    ImageEventStream.Request stream = ImageEventStream.Request.read(f);
    List<Reference> references = ReferenceInputs.read(f, inputs);
    return work(
        s,
        stream,
        spec("image_generation", o.size(), o.output(), o, stream),
        new Billing(o, batch.prompt(), references.stream().map(Routes::sizeOf).toList()),
        (progress, cancel) -> {
          ImageService.Produced p =
              s.images().generate(batch.prompt(), batch.panels(), o, references, progress, cancel);
          List<String> warnings = new ArrayList<>(o.notices());
          warnings.addAll(batch.warnings());
          warnings.addAll(p.warnings());
          return new ImageEventStream.Result(p.images(), warnings, p.extra());
        });
  }

  /**
   * The job of a request that makes images with {@code work}: streamed as server-sent events when
   * the request asked for them, else answered with OpenAI's images response and the result's extra
   * members after it.
   */
  private Plan work(
      Scope s,
      ImageEventStream.Request stream,
      ImageEventStream.Spec spec,
      Billing billing,
      ImageEventStream.Work work) {
    return new Work(
        s,
        billing.options().sampling().n(),
        stream.stream(),
        java.util.Optional.of(
            new ImageEventStream.Setup(spec, s.urls(), billing.perImage(s.images().engine()))),
        (progress, cancel) -> {
          ImageEventStream.Result r = work.run(progress, cancel);
          GenerationOptions o = billing.options();
          JsonValue.Obj response =
              ApiJson.imagesResponse(r.images(), o.urlResponse(), s.urls(), r.warnings());
          Map<String, JsonValue> m = new LinkedHashMap<>(response.members());
          m.put("model", ApiJson.str(s.images().model().id()));
          m.put("quality", ApiJson.str(o.request().quality()));
          m.put("background", ApiJson.str(o.request().background()));
          billing
              .usage(s.images().engine(), r.images())
              .ifPresent(u -> m.put("usage", ApiJson.usage(u)));
          m.putAll(r.extra());
          // The row keeps references to the stored images, not their base64 (StoredResults).
          return new dev.atelier.server.jobs.JobExecutor.Outcome(
              200, StoredResults.compact(new JsonValue.Obj(m)), r.images().size(), r);
        });
  }

  /**
   * What a call's {@code usage} is counted from when the engine bills nothing itself (the local
   * engine): its options, its prompt and the sizes of its input images.
   */
  record Billing(GenerationOptions options, String prompt, List<ImageSize> inputs) {
    /**
     * Each streamed image's share: the prompt and the input images on the first image of the call
     * (as an upstream records a call's usage), each image's own output tokens.
     */
    ImageEventStream.Usage perImage(dev.atelier.core.Engine engine) {
      // Asked when an image is done, not now: a model that loads on first use is loaded by then.
      return (image, index) -> {
        var tokens = engine.promptTokens(prompt);
        if (tokens.isEmpty()) {
          return ImageEventStream.Usage.RECORDED.of(image, index);
        }
        return TokenUsage.estimate(
            index == 0 ? tokens.getAsInt() : 0,
            index == 0 ? inputs : List.of(),
            List.of(new ImageSize(image.row().width(), image.row().height())),
            options.request().quality());
      };
    }

    /** The estimated usage, or empty when the engine reports its own (an upstream's). */
    java.util.Optional<TokenUsage> usage(dev.atelier.core.Engine engine, List<Library.Saved> made) {
      var tokens = engine.promptTokens(prompt);
      if (tokens.isEmpty()) {
        return java.util.Optional.empty();
      }
      List<ImageSize> outputs =
          made.stream().map(s -> new ImageSize(s.row().width(), s.row().height())).toList();
      return java.util.Optional.of(
          TokenUsage.estimate(tokens.getAsInt(), inputs, outputs, options.request().quality()));
    }
  }

  private static ImageSize sizeOf(Reference r) {
    return billedSize(r.image().width(), r.image().height());
  }

  /**
   * An input image's size as usage estimates count it: sides rounded up to multiples of 8 within
   * {@link ImageSize}'s range, since inputs (a 100x75 photo, a subsampled reference) need not be
   * output sizes.
   */
  static ImageSize billedSize(int width, int height) {
    return new ImageSize(billedSide(width), billedSide(height));
  }

  private static int billedSide(int side) {
    return Math.clamp((side + 7L) / 8 * 8, 8, ImageSize.MAX_SIDE);
  }

  private static ImageSize sizeOf(dev.atelier.core.image.RgbImage i) {
    return new ImageSize(i.width(), i.height());
  }

  private static ImageEventStream.Spec spec(
      String prefix,
      ImageSize size,
      Library.Output output,
      GenerationOptions o,
      ImageEventStream.Request stream) {
    return new ImageEventStream.Spec(
        prefix, size, output, o.sampling().quality(), stream.partialImages());
  }

  private Plan edits(Scope asked) {
    ImageInputs inputs = asked.inputs();
    EditInputs sent = asked.editInputs(false);
    JsonFields f = checked(Endpoint.EDITS, sent.fields());
    // An edit with a session is one of its rounds: it keeps the session's model too.
    Scope s =
        f.has("session") ? forSession(asked, f, f.requiredString("session")) : forModel(asked, f);
    String prompt = GenerationOptions.prompt(f, "prompt");
    GenerationOptions o = options(s, f).withReferences(ReferenceInputs.read(f, inputs));
    ImageEventStream.Request stream = ImageEventStream.Request.read(f);
    threshold(f); // checked on every edit, not only where a grounding model uses it
    List<String> warnings = new ArrayList<>(o.notices());
    List<ImageSize> referenceSizes = o.references().stream().map(Routes::sizeOf).toList();
    if (f.has("session")) {
      String sessionId = f.requiredString("session");
      Sessions sessions = s.sessions();
      StoredImage head = stored(s.caller(), sessions.session(sessionId).head().imageId());
      ImageSize headSize = new ImageSize(head.width(), head.height());
      requireSessionSize(o, headSize);
      requireOneRound(f, o);
      checkRoundMask(s, sent, sessions.session(sessionId).head().imageId());
      List<ImageSize> billed = new ArrayList<>(referenceSizes);
      billed.add(headSize);
      return work(
          s,
          stream,
          spec("image_edit", headSize, Library.Output.PNG, o, stream),
          new Billing(o, prompt, billed),
          (progress, cancel) -> {
            Sessions.RoundResult r =
                round(s, sessions, sessionId, prompt, sent, o, progress, cancel);
            warnings.addAll(r.warnings());
            Map<String, JsonValue> extra = new LinkedHashMap<>();
            extra.put("session", sessionJson(r.session(), s));
            extra.put("round", ApiJson.round(r.round(), s.urls()));
            return new ImageEventStream.Result(List.of(r.image()), warnings, extra);
          });
    }
    if (sent.images().isEmpty()) {
      throw new AtelierException.InvalidRequest(
          "image", "image is required (one or more images to edit)");
    }
    // OpenAI's size on an edit is the output's size: the input is brought to it first, so every
    // path below (local edit, mask, image-to-image) works and preserves at that size.
    EditInputs in = o.sizeAuto() ? sent : sent.resizedTo(o.size(), warnings);
    List<ImageSize> billed = new ArrayList<>(referenceSizes);
    in.images().forEach(b -> billed.add(billedSize(b.getWidth(), b.getHeight())));
    if (in.wantsLocalEdit(images.hasGrounding())) {
      return localEdit(s, in, in.base(warnings), prompt, o, stream, warnings, billed);
    }
    if (f.bool("dry_run").orElse(false)) {
      // A dry run previews a plain-words edit's region; without a region it would make an image.
      throw new AtelierException.InvalidRequest(
          "dry_run",
          "dry_run previews the region of a plain-words edit, which needs a grounding model"
              + " (serve --grounding-model) or a mask, without strength/instruct; this request"
              + " has neither, so nothing was previewed or stored");
    }
    // The local engine edits one image (several are refused, naming image); an upstream engine
    // receives the further images as OpenAI's edits endpoint does.
    boolean local = config.engineName().equals("local");
    var image = local ? in.base(warnings) : in.first(warnings);
    List<Reference> references = new ArrayList<>(o.references());
    if (!local) {
      references.addAll(in.furtherImagesAsReferences());
    }
    if (in.rerendersWholeImage()) {
      warnings.add(NO_GROUNDING_WARNING);
    }
    var mode = in.modeChoice(0.75).mode(image);
    return work(
        s,
        stream,
        spec("image_edit", sizeOf(image), o.output(), o, stream),
        new Billing(o, prompt, billed),
        (progress, cancel) -> {
          ImageService.Produced p =
              s.images().edit(prompt, image, mode, o, "", references, progress, cancel);
          warnings.addAll(p.warnings());
          return new ImageEventStream.Result(p.images(), warnings, Map.of());
        });
  }

  /**
   * An edit with {@code session} is one round: one image, stored as PNG (the lossless chain is what
   * keeps unedited pixels identical), never a dry run; anything else is refused, not ignored.
   */
  private static void requireOneRound(JsonFields f, GenerationOptions o) {
    if (o.sampling().n() != 1) {
      throw new AtelierException.InvalidRequest(
          "n", "n must be 1 with session (a round makes one image) but was " + o.sampling().n());
    }
    if (!o.output().format().equals("png")) {
      throw new AtelierException.InvalidRequest(
          "output_format",
          "output_format must be png with session (session images are lossless PNGs) but was '"
              + o.output().format()
              + "'");
    }
    if (f.bool("dry_run").orElse(false)) {
      throw new AtelierException.InvalidRequest(
          "dry_run",
          "dry_run previews an edit without storing it, but a session edit is a round; preview"
              + " it on the session's current image (image: its id, without session)");
    }
  }

  /**
   * A round's mask must fit the session's current image: checked before the job is queued, so a bad
   * mask is a 400 that stores nothing (the job checks it again when it runs).
   */
  private void checkRoundMask(Scope s, EditInputs in, String headImageId) {
    if (in.mask().isPresent() && in.wantsLocalEdit(images.hasGrounding())) {
      in.userMask(s.images().load(headImageId));
    }
  }

  /** A session round keeps the session's size: another {@code size} is refused, not ignored. */
  private static void requireSessionSize(GenerationOptions o, ImageSize sessionSize) {
    if (!o.sizeAuto() && !o.size().equals(sessionSize)) {
      throw new AtelierException.InvalidRequest(
          "size",
          "size must be 'auto' or the session's size "
              + sessionSize
              + " for a round but was "
              + o.size()
              + "; restart the session or start a new one at another size");
    }
  }

  /**
   * {@code /v1/images/variations}: OpenAI's DALL-E 2 endpoint, served as {@code n} image-to-image
   * variations of the one input image (strength 0.7 unless {@code strength} says otherwise),
   * steered by an optional {@code prompt}.
   */
  private Plan variations(Scope asked) {
    EditInputs sent = asked.editInputs(true);
    if (sent.mask().isPresent()) {
      throw new AtelierException.InvalidRequest(
          "mask", "variations take no mask; use /v1/images/edits to change a masked region");
    }
    JsonFields f = checked(Endpoint.VARIATIONS, sent.fields());
    Scope s = forModel(asked, f);
    if (sent.images().size() > 1) {
      throw new AtelierException.InvalidRequest(
          "image", "variations take exactly one image but " + sent.images().size() + " were sent");
    }
    String prompt = f.has("prompt") ? GenerationOptions.prompt(f, "prompt") : VARIATION_PROMPT;
    double strength = f.number("strength").orElse(VARIATION_STRENGTH);
    if (strength <= 0 || strength > 1) {
      throw new AtelierException.InvalidRequest(
          "strength", "strength must be in (0, 1] but was " + strength);
    }
    GenerationOptions o = options(s, f);
    List<String> warnings = new ArrayList<>(o.notices());
    EditInputs in = o.sizeAuto() ? sent : sent.resizedTo(o.size(), warnings);
    var image = in.base(warnings);
    var mode = new dev.atelier.core.EditMode.ImageToImage(strength);
    return work(
        s,
        ImageEventStream.Request.NONE,
        spec("image_edit", sizeOf(image), o.output(), o, ImageEventStream.Request.NONE),
        new Billing(o, prompt, List.of(sizeOf(image))),
        (progress, cancel) -> {
          ImageService.Produced p =
              s.images().edit(prompt, image, mode, o, "", List.of(), progress, cancel);
          warnings.addAll(p.warnings());
          return new ImageEventStream.Result(p.images(), warnings, Map.of());
        });
  }

  /** The prompt of a variation that sent none: the image itself carries the content. */
  static final String VARIATION_PROMPT = "a variation of this image, same subject and style";

  /** How far a variation may move from its image (image-to-image strength). */
  static final double VARIATION_STRENGTH = 0.7;

  /** The warning of a local edit that re-rendered the whole image for want of a grounding model. */
  public static final String NO_GROUNDING_WARNING =
      "no grounding model is configured, so the whole image was re-rendered and pixels outside the"
          + " object may change; start the server with --grounding-model or send a mask";

  private Plan localEdit(
      Scope s,
      EditInputs in,
      dev.atelier.core.image.RgbImage image,
      String instruction,
      GenerationOptions o,
      ImageEventStream.Request stream,
      List<String> warnings,
      List<ImageSize> billed) {
    JsonFields f = in.fields();
    double threshold = threshold(f);
    dev.atelier.core.image.Mask mask = in.userMask(image).orElse(null);
    if (f.bool("dry_run").orElse(false)) {
      if (stream.stream()) {
        throw new AtelierException.InvalidRequest(
            "stream", "a dry run makes no image, so it cannot be streamed; send stream: false");
      }
      var out = s.images().editor().dryRun(image, instruction, mask, images.editOptions(threshold));
      Map<String, JsonValue> m = new LinkedHashMap<>();
      m.put("plan", out.plan().toJsonValue());
      m.put("mask", ApiJson.str(ApiJson.maskPng(out.region())));
      m.put("warnings", ApiJson.strings(out.warnings()));
      return new Immediate(200, new JsonValue.Obj(m));
    }
    return work(
        s,
        stream,
        spec("image_edit", sizeOf(image), o.output(), o, stream),
        new Billing(o, instruction, billed),
        (progress, cancel) -> {
          ImageService.LocalResult r =
              s.images()
                  .localEdit(image, instruction, mask, o, threshold, "", "", progress, cancel);
          for (Library.Saved saved : r.images()) {
            s.images().metadata().insertImage(saved.row());
          }
          warnings.addAll(r.outcome().warnings());
          Map<String, JsonValue> extra = new LinkedHashMap<>();
          extra.put("plan", r.outcome().plan().toJsonValue());
          extra.put(
              "fidelity",
              new JsonValue.Arr(
                  r.outcome().reports().stream().<JsonValue>map(x -> x.toJsonValue()).toList()));
          return new ImageEventStream.Result(r.images(), warnings, extra);
        });
  }

  private static double threshold(JsonFields f) {
    double t = f.number("grounding_threshold").orElse(0.0);
    if (t < 0 || t >= 1) {
      throw new AtelierException.InvalidRequest(
          "grounding_threshold", "grounding_threshold must be in (0, 1) but was " + t);
    }
    return t;
  }

  /** A session round: plain-words local edit when possible, else the explicit edit mode. */
  private Sessions.RoundResult round(
      Scope s,
      Sessions sessions,
      String sessionId,
      String instruction,
      EditInputs in,
      GenerationOptions o,
      ProgressListener progress,
      CancellationToken cancel) {
    if (in.wantsLocalEdit(images.hasGrounding())) {
      var head = s.images().load(sessions.session(sessionId).head().imageId());
      return sessions.localRound(
          sessionId,
          instruction,
          in.userMask(head).orElse(null),
          o,
          threshold(in.fields()),
          progress,
          cancel);
    }
    Sessions.RoundResult r =
        sessions.addRound(
            sessionId,
            instruction,
            in.modeChoice(ImageService.DEFAULT_ROUND_STRENGTH),
            o,
            progress,
            cancel);
    if (in.rerendersWholeImage()) {
      List<String> w = new ArrayList<>(r.warnings());
      w.add(NO_GROUNDING_WARNING);
      return new Sessions.RoundResult(r.session(), r.round(), r.image(), w, r.fidelity());
    }
    return r;
  }

  private void plan(Context ctx) {
    JsonFields f = new JsonFields(body(ctx));
    Endpoint.EDIT_PLAN.check(f);
    String instruction = f.string("instruction").orElse("");
    if (instruction.isBlank()) {
      throw new AtelierException.InvalidRequest("instruction", "instruction must not be empty");
    }
    send(ctx, 200, images.editor().plan(instruction).toJsonValue());
  }

  private void compose(Context ctx) {
    JsonFields f = new JsonFields(body(ctx));
    Endpoint.EDIT_COMPOSE.check(f);
    String language = f.oneOf("language", "en", "zh").orElse("en");
    List<String> keep = new ArrayList<>();
    for (JsonValue v : f.raw().array("keep")) {
      if (!(v instanceof JsonValue.Str s)) {
        throw JsonFields.invalid("keep", "a list of strings", v);
      }
      keep.add(s.value());
    }
    String instruction;
    try {
      instruction =
          dev.atelier.core.edit.InstructionComposer.compose(
              f.requiredString("what"),
              f.string("attribute").orElse(""),
              f.requiredString("to"),
              keep,
              f.string("constraint").orElse(""),
              language.equals("zh") ? java.util.Locale.CHINESE : java.util.Locale.ENGLISH);
    } catch (IllegalArgumentException e) {
      String param =
          e.getMessage().startsWith("to")
              ? "to"
              : e.getMessage().startsWith("keep") ? "keep" : "what";
      throw new AtelierException.InvalidRequest(param, e.getMessage());
    }
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("instruction", ApiJson.str(instruction));
    m.put("plan", images.editor().plan(instruction).toJsonValue());
    send(ctx, 200, new JsonValue.Obj(m));
  }

  /**
   * The stored image {@code id} if the request's caller may see it; another owner's image is
   * answered exactly like one that does not exist.
   */
  private StoredImage stored(Caller caller, String id) {
    if (!Ids.isValid("img", id)) {
      throw new AtelierException.NotFound("id", "no image with id '" + id + "'");
    }
    return images
        .metadata()
        .image(id)
        .filter(i -> caller.owns(i.owner()))
        .orElseThrow(() -> new AtelierException.NotFound("id", "no image with id '" + id + "'"));
  }

  private void image(Context ctx) {
    if (POST_ONLY_IMAGE_ROUTES.contains(ctx.pathParam("id"))) {
      throw new ErrorMapper.MethodNotAllowed(ctx.method().name(), ctx.path(), "POST");
    }
    send(ctx, 200, ApiJson.image(stored(Caller.of(ctx), ctx.pathParam("id")), urls(ctx)));
  }

  /**
   * An image's bytes. A signed URL is checked whenever it carries a signature; without one, the
   * request needs what any other route needs (a key once authentication is on; today's loopback
   * server without keys serves it freely). With presigning on and a store that can presign, the
   * checked request is answered with a redirect to a presigned GET of the blob, valid as long as
   * image URLs are, so the bytes come from the store.
   */
  private void content(Context ctx) {
    StoredImage img = stored(Caller.of(ctx), ctx.pathParam("id"));
    String sig = ctx.queryParam("sig");
    String expires = ctx.queryParam("expires");
    // An authenticated caller's key is enough (its ownership is checked like any other route's).
    if ((sig != null || expires != null) && Caller.of(ctx) == Caller.ANONYMOUS) {
      ctx.appData(SIGNER)
          .check(
              img.id(),
              ImageUrls.owner(img.id()),
              expires == null ? "" : expires,
              sig == null ? "" : sig);
    }
    String type = Library.Output.contentType(img.format());
    if (config.blobPolicy().presign()) {
      java.util.Optional<java.net.URI> direct =
          images.blobs().presignedGet(img.sha256(), type, config.access().urlTtl());
      if (direct.isPresent()) {
        // The Location expires: the redirect must not be cached.
        ctx.header("Cache-Control", "no-store");
        ctx.redirect(direct.get().toString(), io.javalin.http.HttpStatus.FOUND);
        return;
      }
    }
    byte[] bytes =
        images
            .blobs()
            .get(img.sha256())
            .orElseThrow(
                () -> new AtelierException.StorageFailure("blob missing for " + img.id(), null));
    ctx.status(200).contentType(type).result(bytes);
  }

  /** Every served model, the default first, with what it was trained for and whether it loaded. */
  private void models(Context ctx) {
    List<JsonValue> data = new ArrayList<>();
    for (ModelSet.Model served : images.models().models()) {
      Map<String, JsonValue> model = new LinkedHashMap<>();
      model.put("id", ApiJson.str(served.id()));
      model.put("object", ApiJson.str("model"));
      model.put("created", ApiJson.num(config.startedAt().getEpochSecond()));
      model.put(
          "owned_by",
          ApiJson.str(config.engineName().equals("local") ? "atelier" : config.engineName()));
      // Atelier's extensions, so a client (the studio) can say what runs and warn about the demo.
      model.put("engine", ApiJson.str(config.engineName()));
      model.put("demo", new JsonValue.Bool(config.demo()));
      model.put("kind", ApiJson.str(served.kind().wire()));
      model.put("state", ApiJson.str(served.state().wire()));
      // What sizes and defaults it gets: its family, the side of size "auto", what sides must be a
      // multiple of, whether it is a few-step model (guidance 0 and 1-4 steps by default).
      ModelProfile p = served.profile();
      model.put("family", ApiJson.str(p.family().wire()));
      model.put(
          "native_size",
          p.nativeSide() > 0
              ? ApiJson.str(p.nativeSide() + "x" + p.nativeSide())
              : JsonValue.Null.INSTANCE);
      model.put("size_multiple", ApiJson.num(p.sizeMultiple()));
      model.put("few_step", new JsonValue.Bool(p.fewStep()));
      data.add(new JsonValue.Obj(model));
    }
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("object", ApiJson.str("list"));
    m.put("data", new JsonValue.Arr(data));
    send(ctx, 200, new JsonValue.Obj(m));
  }

  private Plan createSession(Scope asked) {
    ImageInputs inputs = asked.inputs();
    EditInputs in = asked.editInputs(false);
    JsonFields f = checked(Endpoint.SESSION_CREATE, in.fields());
    Scope scope = forModel(asked, f);
    Sessions sessions = scope.sessions();
    List<String> warnings = new ArrayList<>();
    java.util.function.BiFunction<ProgressListener, CancellationToken, Session> create;
    if (!in.images().isEmpty()) {
      if (f.has("references") || f.has("reference_images")) {
        String name = f.has("references") ? "references" : "reference_images";
        throw new AtelierException.InvalidRequest(
            name,
            name
                + " shape a generated first image, but this session starts from the image sent;"
                + " send the references with each round instead");
      }
      GenerationOptions read = options(scope, f);
      warnings.addAll(read.notices());
      EditInputs sized = read.sizeAuto() ? in : in.resizedTo(read.size(), warnings);
      var image = sized.base(warnings);
      String prompt = f.has("prompt") ? GenerationOptions.prompt(f, "prompt") : "";
      boolean seed = f.has("seed");
      // An image session keeps its prompt and parameters: restarts merge into and render with them.
      create = (progress, cancel) -> sessions.createFromImage(image, prompt, read, seed);
    } else {
      String prompt = GenerationOptions.prompt(f, "prompt");
      GenerationOptions o = options(scope, f).withReferences(ReferenceInputs.read(f, inputs));
      warnings.addAll(o.notices());
      boolean seed = f.has("seed");
      create = (progress, cancel) -> sessions.createFromPrompt(prompt, o, seed, progress, cancel);
    }
    return new Work(
        scope,
        1,
        false,
        java.util.Optional.empty(),
        (progress, cancel) -> {
          Session s = create.apply(progress, cancel);
          Map<String, JsonValue> m = new LinkedHashMap<>(sessionJson(s, scope).members());
          m.put("warnings", ApiJson.strings(warnings));
          return new dev.atelier.server.jobs.JobExecutor.Outcome(
              201, new JsonValue.Obj(m), 1, null);
        });
  }

  private void deleteSession(Context ctx) {
    String id = ctx.pathParam("id");
    if (!sessions(ctx).delete(id)) {
      throw new AtelierException.NotFound("session", "no session with id '" + id + "'");
    }
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", ApiJson.str(id));
    m.put("object", ApiJson.str("session.deleted"));
    m.put("deleted", new JsonValue.Bool(true));
    send(ctx, 200, new JsonValue.Obj(m));
  }

  private Plan addRound(Scope asked) {
    ImageInputs inputs = asked.inputs();
    String id = asked.req().pathParam("id");
    asked.sessions().session(id);
    EditInputs in = asked.editInputs(false);
    JsonFields f = checked(Endpoint.SESSION_ROUND, in.fields());
    Scope s = forSession(asked, f, id);
    Sessions sessions = s.sessions();
    if (!in.images().isEmpty()) {
      throw new AtelierException.InvalidRequest(
          "image",
          "a round edits the session's current image, so it takes no image; send references"
              + " for images to take from");
    }
    threshold(f);
    // The field is instruction (README, studio); prompt is its alias, named only when it was sent.
    if (!f.has("instruction") && !f.has("prompt")) {
      throw new AtelierException.InvalidRequest(
          "instruction",
          "instruction is required: what to change in the session's current image (prompt is"
              + " accepted as its alias)");
    }
    String instruction =
        f.has("prompt") && !f.has("instruction")
            ? GenerationOptions.prompt(f, "prompt")
            : GenerationOptions.prompt(f, "instruction");
    GenerationOptions o = options(s, f).withReferences(ReferenceInputs.read(f, inputs));
    StoredImage head = stored(s.caller(), sessions.session(id).head().imageId());
    requireSessionSize(o, new ImageSize(head.width(), head.height()));
    checkRoundMask(s, in, head.id());
    return new Work(
        s,
        1,
        false,
        java.util.Optional.empty(),
        (progress, cancel) -> {
          Sessions.RoundResult made = round(s, sessions, id, instruction, in, o, progress, cancel);
          return new dev.atelier.server.jobs.JobExecutor.Outcome(200, roundJson(made, s), 1, null);
        });
  }

  private void checkout(Context ctx) {
    JsonFields f = new JsonFields(body(ctx));
    Endpoint.SESSION_CHECKOUT.check(f);
    String round = f.requiredString("round_id");
    send(ctx, 200, sessionJson(sessions(ctx).checkout(ctx.pathParam("id"), round), ctx));
  }

  private Plan restart(Scope asked) {
    String id = asked.req().pathParam("id");
    asked.sessions().session(id);
    JsonFields f = checked(Endpoint.SESSION_RESTART, asked.fields());
    Scope s = forSession(asked, f, id);
    Sessions sessions = s.sessions();
    double strength = f.number("strength").orElse(ImageService.DEFAULT_ROUND_STRENGTH);
    if (strength <= 0 || strength > 1) {
      throw new AtelierException.InvalidRequest(
          "strength", "strength must be in (0, 1] but was " + strength);
    }
    GenerationOptions o = options(s, f);
    // A restart renders from the chain's first image, so it keeps that image's size.
    Session session = sessions.session(id);
    StoredImage first = stored(s.caller(), session.rounds().get(0).imageId());
    requireSessionSize(o, new ImageSize(first.width(), first.height()));
    boolean dryRun = f.bool("dry_run").orElse(false);
    java.util.Set<String> explicit = new java.util.LinkedHashSet<>();
    for (String name : f.raw().members().keySet()) {
      if (f.has(name)) {
        explicit.add(name); // a JSON null is absent: the session's own value stays
      }
    }
    if (dryRun) {
      Sessions.Restart r = sessions.restart(id, o, explicit, strength, true);
      Map<String, JsonValue> m = new LinkedHashMap<>();
      m.put("object", ApiJson.str("session.restart.dry_run"));
      m.put("dry_run", new JsonValue.Bool(true));
      m.putAll(ApiJson.restart(r));
      return new Immediate(200, new JsonValue.Obj(m));
    }
    return new Work(
        s,
        1,
        false,
        java.util.Optional.empty(),
        (progress, cancel) -> {
          Sessions.Restart r = sessions.restart(id, o, explicit, strength, false, progress, cancel);
          Map<String, JsonValue> m = new LinkedHashMap<>();
          m.putAll(roundJson(r.result().orElseThrow(), s).members());
          m.putAll(ApiJson.restart(r));
          return new dev.atelier.server.jobs.JobExecutor.Outcome(
              200, new JsonValue.Obj(m), 1, null);
        });
  }
}
