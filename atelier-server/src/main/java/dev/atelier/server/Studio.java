package dev.atelier.server;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.session.Ids;
import dev.atelier.core.session.PromptMerger;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.RoundWarnings;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.SessionTree;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workflow behind the API: runs the engine, stores every result (blob first, then rows in one
 * transaction), and keeps sessions: rounds, undo, checkout, restart with merged instructions.
 */
final class Studio {
  /** Image-to-image strength of a session round without a mask. */
  static final double DEFAULT_ROUND_STRENGTH = 0.6;

  private final Engine engine;
  private final MetadataStore metadata;
  private final BlobStore blobs;
  private final Library library;
  private final boolean grounding;
  private final LocalEditor editor;
  private final LocalEditor.Options editOptions;

  Studio(
      Engine engine,
      MetadataStore metadata,
      BlobStore blobs,
      Grounder grounder,
      EditPlanner planner,
      int workingSide) {
    this.engine = engine;
    this.metadata = metadata;
    this.blobs = blobs;
    this.library = new Library(blobs);
    this.grounding = grounder != LocalEditor.NO_GROUNDER;
    this.editor = new LocalEditor(engine, planner, grounder);
    LocalEditor.Options d = LocalEditor.Options.DEFAULT;
    this.editOptions =
        new LocalEditor.Options(
            Math.max(64, workingSide),
            d.marginPx(),
            d.globalStrength(),
            d.dilatePx(),
            d.featherPx(),
            d.threshold());
  }

  LocalEditor editor() {
    return editor;
  }

  LocalEditor.Options editOptions(double threshold) {
    return threshold > 0 ? editOptions.withThreshold(threshold) : editOptions;
  }

  /** Whether plain-word edits can find their region without a mask. */
  boolean hasGrounding() {
    return grounding;
  }

  /** The outcome of a plain-words edit, stored. */
  record LocalResult(LocalEditor.Outcome outcome, List<Library.Saved> images) {}

  /**
   * A plain-words edit: planned, grounded (or the caller's mask), inpainted inside the region and
   * composited so every pixel outside it is the input's.
   */
  LocalResult localEdit(
      RgbImage image,
      String instruction,
      dev.atelier.core.image.Mask mask,
      GenerationOptions o,
      double threshold,
      String sessionId,
      String parentImageId) {
    Map<String, String> extra = new LinkedHashMap<>();
    if (mask != null) {
      extra.putAll(maskProvenance(new EditMode.Inpaint(mask)));
    }
    long start = System.nanoTime();
    LocalEditor.Outcome out =
        editor.edit(image, instruction, mask, o.sampling(), editOptions(threshold));
    extra.putAll(timing(start, out.images().size()));
    extra.put("region_mask_id", storeMask(out.region()));
    List<Library.Saved> saved = new ArrayList<>();
    for (GeneratedImage g : out.images()) {
      Library.Saved s = library.save(g, o.output(), sessionId, parentImageId, extra);
      saved.add(s);
    }
    return new LocalResult(out, saved);
  }

  MetadataStore metadata() {
    return metadata;
  }

  BlobStore blobs() {
    return blobs;
  }

  Engine engine() {
    return engine;
  }

  /** Images made by one call, stored, with warnings for the caller. */
  record Produced(List<Library.Saved> images, List<String> warnings) {}

  /**
   * A round added to a session, with the session after it.
   *
   * @param fidelity the round's fidelity report (and drift since round 0), or an empty object
   */
  record RoundResult(
      Session session,
      Round round,
      Library.Saved image,
      List<String> warnings,
      dev.atelier.core.json.JsonValue.Obj fidelity) {
    RoundResult(Session session, Round round, Library.Saved image, List<String> warnings) {
      this(session, round, image, warnings, new dev.atelier.core.json.JsonValue.Obj(Map.of()));
    }
  }

  Produced generate(String prompt, GenerationOptions o) {
    long start = System.nanoTime();
    List<GeneratedImage> made =
        engine.generate(
            new GenerationRequest(prompt, o.size(), o.sampling()),
            ProgressListener.NONE,
            CancellationToken.none());
    Map<String, String> timing = timing(start, made.size());
    List<Library.Saved> saved = new ArrayList<>();
    for (GeneratedImage g : made) {
      Library.Saved s = library.save(g, o.output(), "", "", timing);
      metadata.insertImage(s.row());
      saved.add(s);
    }
    return new Produced(saved, List.of());
  }

  Produced edit(
      String prompt, RgbImage image, EditMode mode, GenerationOptions o, String parentImageId) {
    Map<String, String> extra = new LinkedHashMap<>(maskProvenance(mode));
    long start = System.nanoTime();
    List<GeneratedImage> made = runEdit(prompt, image, mode, o.sampling());
    extra.putAll(timing(start, made.size()));
    List<Library.Saved> saved = new ArrayList<>();
    for (GeneratedImage g : made) {
      Library.Saved s = library.save(g, o.output(), "", parentImageId, extra);
      metadata.insertImage(s.row());
      saved.add(s);
    }
    return new Produced(saved, List.of());
  }

  private List<GeneratedImage> runEdit(
      String prompt, RgbImage image, EditMode mode, SamplingParams sampling) {
    EditRequest request;
    try {
      request = new EditRequest(prompt, image, mode, sampling);
    } catch (IllegalArgumentException e) {
      String param = e.getMessage().startsWith("mask") ? "mask" : "image";
      throw new AtelierException.InvalidRequest(param, e.getMessage());
    }
    return engine.edit(request, ProgressListener.NONE, CancellationToken.none());
  }

  /** A session whose first image is generated from {@code prompt}. */
  Session createFromPrompt(String prompt, GenerationOptions o) {
    SamplingParams one = o.sampling().toBuilder().n(1).build();
    GeneratedImage g =
        engine
            .generate(
                new GenerationRequest(prompt, o.size(), one),
                ProgressListener.NONE,
                CancellationToken.none())
            .get(0);
    String sessionId = Ids.newId("ses");
    Library.Saved s = library.save(g, Library.Output.PNG, sessionId, "", Map.of());
    Map<String, String> params = new LinkedHashMap<>(g.parameters());
    return create(sessionId, s, prompt, params);
  }

  /** A session that starts from an uploaded or stored image. */
  Session createFromImage(RgbImage image) {
    String sessionId = Ids.newId("ses");
    Map<String, String> provenance = Map.of("source", "upload");
    GeneratedImage uploaded = new GeneratedImage(image, 0, provenance);
    Library.Saved s = library.save(uploaded, Library.Output.PNG, sessionId, "", Map.of());
    return create(sessionId, s, "", Map.of("source", "upload"));
  }

  private Session create(
      String sessionId, Library.Saved image, String prompt, Map<String, String> params) {
    Instant now = Instant.now();
    Round root =
        new Round(
            Ids.newId("rnd"),
            sessionId,
            "",
            Round.Kind.CREATE,
            image.row().id(),
            prompt,
            params,
            0,
            now);
    Session session = new Session(sessionId, now, root.id(), List.of(root));
    metadata.createSession(session, image.row());
    return session;
  }

  Session session(String id) {
    if (!Ids.isValid("ses", id)) {
      throw new AtelierException.NotFound("session", "no session with id '" + id + "'");
    }
    return metadata
        .session(id)
        .orElseThrow(
            () -> new AtelierException.NotFound("session", "no session with id '" + id + "'"));
  }

  /** Edits the head image of the session with {@code instruction}. */
  RoundResult addRound(
      String sessionId, String instruction, EditModeChoice choice, GenerationOptions o) {
    Session session = session(sessionId);
    Round head = session.head();
    RgbImage current = load(head.imageId());
    EditMode mode = choice.mode(current);
    SamplingParams one = o.sampling().toBuilder().n(1).build();
    Map<String, String> extra = new LinkedHashMap<>(maskProvenance(mode));
    extra.put("instruction", instruction);
    extra.put("session", sessionId);
    long start = System.nanoTime();
    GeneratedImage g = runEdit(instruction, current, mode, one).get(0);
    extra.putAll(timing(start, 1));
    int since = head.roundsSinceRestart() + 1;
    Library.Saved s = library.save(g, Library.Output.PNG, sessionId, head.imageId(), extra);
    Map<String, String> params = new LinkedHashMap<>(g.parameters());
    params.put("instruction", instruction);
    Round round =
        new Round(
            Ids.newId("rnd"),
            sessionId,
            head.id(),
            Round.Kind.EDIT,
            s.row().id(),
            instruction,
            params,
            since,
            Instant.now());
    metadata.addRound(s.row(), round);
    List<String> warnings =
        RoundWarnings.forRound(since, instruction).stream()
            .map(w -> w.replace("{id}", sessionId))
            .toList();
    return new RoundResult(session(sessionId), round, s, warnings);
  }

  /**
   * A plain-words round: the head image edited only inside the grounded (or given) region; reports
   * fidelity and the drift of never-edited pixels since the chain's first image.
   */
  RoundResult localRound(
      String sessionId,
      String instruction,
      dev.atelier.core.image.Mask mask,
      GenerationOptions o,
      double threshold) {
    Session session = session(sessionId);
    Round head = session.head();
    RgbImage current = load(head.imageId());
    GenerationOptions one =
        new GenerationOptions(
            o.sampling().toBuilder().n(1).build(),
            o.size(),
            o.sizeAuto(),
            Library.Output.PNG,
            o.urlResponse());
    LocalResult r =
        localEdit(current, instruction, mask, one, threshold, sessionId, head.imageId());
    Library.Saved s = r.images().get(0);
    int since = head.roundsSinceRestart() + 1;
    Map<String, String> params = new LinkedHashMap<>(s.row().provenance());
    Round round =
        new Round(
            Ids.newId("rnd"),
            sessionId,
            head.id(),
            Round.Kind.EDIT,
            s.row().id(),
            instruction,
            params,
            since,
            Instant.now());
    metadata.addRound(s.row(), round);
    List<String> warnings = new ArrayList<>(r.outcome().warnings());
    for (String w : RoundWarnings.forRound(since, instruction)) {
      String filled = w.replace("{id}", sessionId);
      if (!warnings.contains(filled)) {
        warnings.add(filled);
      }
    }
    Map<String, dev.atelier.core.json.JsonValue> fidelity =
        new LinkedHashMap<>(r.outcome().reports().get(0).toJsonValue().members());
    fidelity.put(
        "drift_since_first", new dev.atelier.core.json.JsonValue.Num(drift(session, round, s)));
    return new RoundResult(
        session(sessionId), round, s, warnings, new dev.atelier.core.json.JsonValue.Obj(fidelity));
  }

  /**
   * Fraction of pixels outside every region edited along the path that differ from the chain's
   * first image (0 when preservation held).
   */
  private double drift(Session before, Round added, Library.Saved image) {
    List<Round> path = new ArrayList<>(new SessionTree(before).path(added.parentId()));
    path.add(added);
    RgbImage first = load(path.get(0).imageId());
    RgbImage now = ImageCodec.decode(image.bytes(), ImageInputs.LIMITS);
    if (first.width() != now.width() || first.height() != now.height()) {
      return Double.NaN;
    }
    float[] union = new float[first.width() * first.height()];
    for (Round r : path) {
      String maskId = r.params().getOrDefault("region_mask_id", "");
      if (maskId.isEmpty()) {
        if (r.kind() == Round.Kind.EDIT) {
          return Double.NaN; // a whole-image round: nothing is "never edited"
        }
        continue;
      }
      RgbImage m = load(maskId);
      for (int p = 0; p < union.length; p++) {
        if ((m.rgb()[p * 3] & 0xff) > 0) {
          union[p] = 1f;
        }
      }
    }
    return dev.atelier.core.image.FidelityReport.driftOutside(
        first, now, new dev.atelier.core.image.Mask(first.width(), first.height(), union));
  }

  Session undo(String sessionId) {
    Session session = session(sessionId);
    Round target =
        new SessionTree(session)
            .undoTarget()
            .orElseThrow(
                () ->
                    new AtelierException.InvalidRequest(
                        "session", "nothing to undo: the head is the first round of its chain"));
    metadata.moveHead(sessionId, target.id());
    return session(sessionId);
  }

  Session checkout(String sessionId, String roundId) {
    Session session = session(sessionId);
    if (session.round(roundId).isEmpty()) {
      throw new AtelierException.NotFound(
          "round_id", "session " + sessionId + " has no round '" + roundId + "'");
    }
    metadata.moveHead(sessionId, roundId);
    return session(sessionId);
  }

  /**
   * Consolidates: re-renders the chain's first image with the head path's instructions merged into
   * one prompt (image-to-image), as a new root-like round.
   */
  RoundResult restart(String sessionId, GenerationOptions o, double strength) {
    Session session = session(sessionId);
    SessionTree tree = new SessionTree(session);
    List<Round> path = tree.path(session.headRoundId());
    Round first = path.get(0);
    List<String> instructions = new ArrayList<>();
    for (Round r : path) {
      if (r.kind() == Round.Kind.EDIT) {
        instructions.add(r.instruction());
      }
    }
    String base =
        first.kind() == Round.Kind.RESTART
            ? first.params().getOrDefault("base_prompt", "")
            : first.instruction();
    String merged = PromptMerger.merge(base, instructions);
    if (merged.isBlank()) {
      throw new AtelierException.InvalidRequest(
          "session", "nothing to consolidate: the session has no prompt and no instructions yet");
    }
    RgbImage firstImage = load(first.imageId());
    SamplingParams one = o.sampling().toBuilder().n(1).build();
    GeneratedImage g = runEdit(merged, firstImage, new EditMode.ImageToImage(strength), one).get(0);
    Library.Saved s =
        library.save(
            g, Library.Output.PNG, sessionId, first.imageId(), Map.of("merged_prompt", merged));
    Map<String, String> params = new LinkedHashMap<>(g.parameters());
    params.put("merged_prompt", merged);
    params.put("base_prompt", merged);
    params.put("consolidated_from", session.headRoundId());
    Round round =
        new Round(
            Ids.newId("rnd"),
            sessionId,
            "",
            Round.Kind.RESTART,
            s.row().id(),
            merged,
            params,
            0,
            Instant.now());
    metadata.addRound(s.row(), round);
    return new RoundResult(session(sessionId), round, s, List.of());
  }

  private static Map<String, String> timing(long startNanos, int images) {
    long ms = (System.nanoTime() - startNanos) / 1_000_000;
    return Map.of("elapsed_ms", Long.toString(ms), "images_in_call", Integer.toString(images));
  }

  /** Stores an inpainting mask as an image of its own, so provenance can name it by id. */
  private Map<String, String> maskProvenance(EditMode mode) {
    if (!(mode instanceof EditMode.Inpaint(var mask))) {
      return Map.of();
    }
    return Map.of("mask_id", storeMask(mask));
  }

  /** Stores a mask as a grey PNG (white = edit) and returns its image id. */
  String storeMask(dev.atelier.core.image.Mask mask) {
    int w = mask.width();
    int h = mask.height();
    byte[] rgb = new byte[w * h * 3];
    for (int p = 0; p < w * h; p++) {
      byte v = (byte) Math.round(mask.values()[p] * 255);
      rgb[p * 3] = v;
      rgb[p * 3 + 1] = v;
      rgb[p * 3 + 2] = v;
    }
    GeneratedImage maskImage =
        new GeneratedImage(
            new RgbImage(w, h, rgb), 0, Map.of("kind", "mask", "convention", "white = edit"));
    Library.Saved saved = library.save(maskImage, Library.Output.PNG, "", "", Map.of());
    metadata.insertImage(saved.row());
    return saved.row().id();
  }

  boolean delete(String sessionId) {
    if (!Ids.isValid("ses", sessionId)) {
      return false;
    }
    return metadata.deleteSession(sessionId);
  }

  /** Decodes a stored image. */
  RgbImage load(String imageId) {
    StoredImage row =
        metadata
            .image(imageId)
            .orElseThrow(
                () -> new AtelierException.NotFound("image", "no image with id '" + imageId + "'"));
    byte[] bytes =
        blobs
            .get(row.sha256())
            .orElseThrow(
                () ->
                    new AtelierException.StorageFailure(
                        "blob of image " + imageId + " is missing", null));
    return ImageCodec.decode(bytes, ImageInputs.LIMITS);
  }

  /** How a round edits the head image: with a mask, as an instruction, or image-to-image. */
  interface EditModeChoice {
    EditMode mode(RgbImage current);
  }
}
