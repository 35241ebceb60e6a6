package dev.atelier.server.images;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.batch.BatchChecks;
import dev.atelier.core.batch.ConsistencyReport;
import dev.atelier.core.batch.PerceptualHash;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.reference.ReferenceChecks;
import dev.atelier.core.reference.StyleEmphasis;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.http.ApiJson;
import dev.atelier.server.http.GenerationOptions;
import dev.atelier.server.http.ImageInputs;
import dev.atelier.server.models.ModelSet;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The workflow behind the API: runs the engine and the local editor and stores every result (blob
 * first, then rows in one transaction). Sessions build on it in {@link Sessions}.
 */
public final class ImageService {
  /** Image-to-image strength of a session round without a mask. */
  public static final double DEFAULT_ROUND_STRENGTH = 0.6;

  private final ModelSet models;
  private final ModelSet.Model model;
  private final Map<String, Runs> runs;
  private final Engine engine;
  private final MetadataStore metadata;
  private final BlobStore blobs;
  private final Library library;
  private final boolean grounding;
  private final Grounder grounder;
  private final LocalEditor editor;
  private final LocalEditor.Options editOptions;

  /**
   * How one model runs: its engine in memory-bounded calls, and the local editor whose masked
   * redraws go to a served inpainting model of the same family when this one is a text-to-image
   * model and one is served (a region redrawn by an inpainting UNet blends in better than by latent
   * blending); its whole-image edits stay on this model ({@link InpaintingRedraws}).
   */
  private record Runs(Engine engine, LocalEditor editor) {}

  /**
   * A service running {@code models} (the first unless {@link #forModel} picks another) and storing
   * into {@code metadata} and {@code blobs}.
   */
  public ImageService(
      ModelSet models,
      MetadataStore metadata,
      BlobStore blobs,
      Grounder grounder,
      EditPlanner planner,
      int workingSide) {
    this.models = models;
    Map<String, Runs> byId = new LinkedHashMap<>();
    for (ModelSet.Model m : models.models()) {
      // Only an inpainting model of the same family redraws this one's masked edits.
      java.util.Optional<ModelSet.Model> inpainting = models.inpaintingFor(m);
      // Every path runs its n images in memory-bounded calls (SubBatches).
      Engine own = new SubBatches(m.engine());
      Engine redraws =
          m.kind() == ModelSet.Kind.TEXT_TO_IMAGE && inpainting.isPresent()
              ? new InpaintingRedraws(own, new SubBatches(inpainting.get().engine()))
              : own;
      byId.put(m.id(), new Runs(own, new LocalEditor(redraws, planner, grounder)));
    }
    this.runs = Map.copyOf(byId);
    this.model = models.first();
    this.engine = runs.get(model.id()).engine();
    this.editor = runs.get(model.id()).editor();
    this.metadata = metadata;
    this.blobs = blobs;
    this.library = new Library(blobs);
    this.grounding = grounder != LocalEditor.NO_GROUNDER;
    this.grounder = grounder;
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

  /** A copy sharing everything but the library, whose rows record {@code library}'s owner. */
  private ImageService(ImageService base, Library library) {
    this(base, library, base.metadata);
  }

  /** A copy sharing everything but the library and the metadata store. */
  private ImageService(ImageService base, Library library, MetadataStore metadata) {
    this(base, library, metadata, base.model);
  }

  /** A copy sharing everything but the library, the metadata store and the model it runs. */
  private ImageService(
      ImageService base, Library library, MetadataStore metadata, ModelSet.Model model) {
    this.models = base.models;
    this.runs = base.runs;
    this.model = model;
    this.engine = runs.get(model.id()).engine();
    this.editor = runs.get(model.id()).editor();
    this.metadata = metadata;
    this.blobs = base.blobs;
    this.library = library;
    this.grounding = base.grounding;
    this.grounder = base.grounder;
    this.editOptions = base.editOptions;
  }

  /**
   * This service running the served model {@code id}.
   *
   * @throws IllegalArgumentException when no served model has that id (the routes check first)
   */
  public ImageService forModel(String id) {
    if (id.equals(model.id())) {
      return this;
    }
    ModelSet.Model picked =
        models
            .find(id)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "model must be one of " + models.ids() + " but was '" + id + "'"));
    return new ImageService(this, library, metadata, picked);
  }

  /** The model this service runs. */
  public ModelSet.Model model() {
    return model;
  }

  /** Every served model, the default first. */
  public ModelSet models() {
    return models;
  }

  /**
   * This service writing its rows to {@code metadata} (a job's held-back writes, committed with the
   * job) and reading through it.
   */
  public ImageService withMetadata(MetadataStore metadata) {
    return metadata == this.metadata ? this : new ImageService(this, library, metadata);
  }

  /** This service storing for {@code caller}: every image and mask it stores records its owner. */
  public ImageService forCaller(Caller caller) {
    Library owned = library.forOwner(caller.owner());
    return owned == library ? this : new ImageService(this, owned);
  }

  /** The local editor (grounding, planning and masked redraws). */
  public LocalEditor editor() {
    return editor;
  }

  /** The local editor's options, with {@code threshold} when it is positive. */
  public LocalEditor.Options editOptions(double threshold) {
    return threshold > 0 ? editOptions.withThreshold(threshold) : editOptions;
  }

  /** Whether plain-word edits can find their region without a mask. */
  public boolean hasGrounding() {
    return grounding;
  }

  /** The outcome of a plain-words edit, stored. */
  public record LocalResult(LocalEditor.Outcome outcome, List<Library.Saved> images) {}

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
    return localEdit(
        image,
        instruction,
        mask,
        o,
        threshold,
        sessionId,
        parentImageId,
        ProgressListener.NONE,
        CancellationToken.none());
  }

  /**
   * A plain-words edit that reports the engine's steps (previews of the whole image) and stops when
   * {@code cancel} is cancelled; nothing is stored when it stops.
   */
  public LocalResult localEdit(
      RgbImage image,
      String instruction,
      dev.atelier.core.image.Mask mask,
      GenerationOptions o,
      double threshold,
      String sessionId,
      String parentImageId,
      ProgressListener progress,
      CancellationToken cancel) {
    long start = System.nanoTime();
    LocalEditor.Outcome out =
        editor.edit(
            image,
            instruction,
            mask,
            o.sampling(),
            editOptions(threshold),
            o.references(),
            progress,
            cancel);
    cancel.throwIfCancelled("before storing");
    Map<String, String> extra = new LinkedHashMap<>();
    if (mask != null) {
      extra.putAll(maskProvenance(new EditMode.Inpaint(mask)));
    }
    extra.putAll(timing(start, out.images().size()));
    extra.putAll(o.request().provenance());
    extra.put("region_mask_id", storeMask(out.region()));
    List<Library.Saved> saved = new ArrayList<>();
    for (GeneratedImage g : out.images()) {
      Library.Saved s = library.save(g, o.output(), sessionId, parentImageId, extra);
      saved.add(s);
    }
    return new LocalResult(out, saved);
  }

  Library library() {
    return library;
  }

  /** The metadata store images and sessions are recorded in. */
  public MetadataStore metadata() {
    return metadata;
  }

  /** The blob store image bytes are kept in. */
  public BlobStore blobs() {
    return blobs;
  }

  /** The engine that runs generations and edits. */
  public Engine engine() {
    return engine;
  }

  /** Images made by one call, stored, with warnings for the caller. */
  public record Produced(
      List<Library.Saved> images, List<String> warnings, Map<String, JsonValue> extra) {}

  /** Most times a near-duplicate of a variations batch is redrawn with a new seed. */
  static final int MAX_REDRAWS = 3;

  Produced generate(String prompt, GenerationOptions o) {
    return generate(prompt, o, List.of());
  }

  /**
   * Text-to-image with reference images; a style reference adds the guide's emphasis to the prompt
   * ({@link StyleEmphasis}), whatever engine runs.
   */
  Produced generate(String prompt, GenerationOptions o, List<Reference> references) {
    return generate(prompt, o, references, ProgressListener.NONE, CancellationToken.none());
  }

  /**
   * Text-to-image that reports every step to {@code progress} and stops when {@code cancel} is
   * cancelled; the images are stored only after the engine finished and nobody cancelled.
   *
   * @throws AtelierException.Cancelled when cancelled (nothing is stored)
   */
  Produced generate(
      String prompt,
      GenerationOptions o,
      List<Reference> references,
      ProgressListener progress,
      CancellationToken cancel) {
    return generate(prompt, List.of(), o, references, progress, cancel);
  }

  /**
   * A batch: one prompt for every image or one per panel ({@code panels}), with the reference
   * checks' warnings. A variations batch (the default) has no near-duplicates: an image within
   * {@link PerceptualHash#NEAR_DUPLICATE_MAX_DISTANCE} of an earlier one is redrawn with a new
   * seed, up to {@link #MAX_REDRAWS} times. Batches of two or more report their {@code
   * consistency_report}.
   */
  public Produced generate(
      String prompt,
      List<String> panels,
      GenerationOptions o,
      List<Reference> references,
      ProgressListener progress,
      CancellationToken cancel) {
    long start = System.nanoTime();
    List<String> warnings =
        new ArrayList<>(
            grounding
                ? ReferenceChecks.warnings(prompt, references, grounder)
                : ReferenceChecks.warnings(prompt, references));
    List<String> emphasised = panels.stream().map(p -> StyleEmphasis.apply(p, references)).toList();
    GenerationRequest request =
        new GenerationRequest(
            StyleEmphasis.apply(prompt, references),
            o.size(),
            o.sampling(),
            references,
            emphasised);
    List<GeneratedImage> made = new ArrayList<>(engine.generate(request, progress, cancel));
    if (o.sampling().consistency() == Consistency.VARIATIONS && made.size() > 1) {
      if (engine.seedsReproduce()) {
        warnings.addAll(redrawNearDuplicates(request, made, cancel));
      } else {
        // Redrawing on an upstream would bill another call for each: say so instead.
        for (BatchChecks.IndexPair pair :
            BatchChecks.nearDuplicates(made.stream().map(GeneratedImage::image).toList())) {
          warnings.add(
              "images "
                  + pair.first()
                  + " and "
                  + pair.second()
                  + " are near-duplicates; they were not redrawn because each upstream call is"
                  + " billed");
        }
      }
    }
    cancel.throwIfCancelled("before storing");
    Map<String, String> timing = new LinkedHashMap<>(timing(start, made.size()));
    timing.putAll(o.request().provenance());
    List<Library.Saved> saved = new ArrayList<>();
    for (GeneratedImage g : made) {
      Library.Saved s = library.save(g, o.output(), "", "", timing);
      metadata.insertImage(s.row());
      saved.add(s);
    }
    Map<String, JsonValue> extra = new LinkedHashMap<>();
    if (made.size() > 1) {
      extra.put(
          "consistency", ApiJson.str(o.sampling().consistency().name().toLowerCase(Locale.ROOT)));
      extra.put(
          "consistency_report",
          ConsistencyReport.of(made.stream().map(GeneratedImage::image).toList()).toJsonValue());
    }
    return new Produced(saved, warnings, extra);
  }

  /**
   * Replaces each image that is a near-duplicate of an earlier one by a fresh one of the same
   * prompt with a seed past the batch's ({@code seed + n + k}), until none is left or {@link
   * #MAX_REDRAWS} rounds are spent; returns a sentence per redraw and one if duplicates remain.
   */
  private List<String> redrawNearDuplicates(
      GenerationRequest request, List<GeneratedImage> made, CancellationToken cancel) {
    List<String> notes = new ArrayList<>();
    SamplingParams s = request.sampling();
    long nextSeed = s.seedOf(s.n() - 1) + 1;
    for (int round = 0; round < MAX_REDRAWS; round++) {
      List<BatchChecks.IndexPair> pairs =
          BatchChecks.nearDuplicates(made.stream().map(GeneratedImage::image).toList());
      if (pairs.isEmpty()) {
        return notes;
      }
      java.util.Set<Integer> redrawn = new java.util.TreeSet<>();
      for (BatchChecks.IndexPair pair : pairs) {
        if (redrawn.contains(pair.first()) || !redrawn.add(pair.second())) {
          continue;
        }
        cancel.throwIfCancelled("before redrawing a near-duplicate");
        int j = pair.second();
        long seed = nextSeed++;
        SamplingParams one = s.toBuilder().n(1).seed(seed).build();
        GeneratedImage fresh =
            engine
                .generate(
                    new GenerationRequest(
                        request.promptOf(j), request.size(), one, request.references()),
                    ProgressListener.NONE,
                    cancel)
                .get(0);
        notes.add(
            "image "
                + j
                + " was a near-duplicate of image "
                + pair.first()
                + " (perceptual hash distance <= "
                + PerceptualHash.NEAR_DUPLICATE_MAX_DISTANCE
                + ") and was redrawn with seed "
                + seed);
        made.set(j, fresh);
      }
    }
    if (!BatchChecks.nearDuplicates(made.stream().map(GeneratedImage::image).toList()).isEmpty()) {
      notes.add(
          "some images are still near-duplicates after "
              + MAX_REDRAWS
              + " redraws; the prompt leaves the model little room to vary");
    }
    return notes;
  }

  Produced edit(
      String prompt, RgbImage image, EditMode mode, GenerationOptions o, String parentImageId) {
    return edit(prompt, image, mode, o, parentImageId, List.of());
  }

  /** An edit with reference images (see {@link #generate(String, GenerationOptions, List)}). */
  Produced edit(
      String prompt,
      RgbImage image,
      EditMode mode,
      GenerationOptions o,
      String parentImageId,
      List<Reference> references) {
    return edit(
        prompt,
        image,
        mode,
        o,
        parentImageId,
        references,
        ProgressListener.NONE,
        CancellationToken.none());
  }

  /**
   * An edit that reports every step and stops when cancelled; the mask and the images are stored
   * only after the engine finished and nobody cancelled.
   *
   * @throws AtelierException.Cancelled when cancelled (nothing is stored)
   */
  public Produced edit(
      String prompt,
      RgbImage image,
      EditMode mode,
      GenerationOptions o,
      String parentImageId,
      List<Reference> references,
      ProgressListener progress,
      CancellationToken cancel) {
    long start = System.nanoTime();
    List<GeneratedImage> made =
        runEdit(
            StyleEmphasis.apply(prompt, references),
            image,
            mode,
            o.sampling(),
            references,
            progress,
            cancel);
    cancel.throwIfCancelled("before storing");
    Map<String, String> extra = new LinkedHashMap<>(maskProvenance(mode));
    extra.putAll(timing(start, made.size()));
    extra.putAll(o.request().provenance());
    List<Library.Saved> saved = new ArrayList<>();
    for (GeneratedImage g : made) {
      Library.Saved s = library.save(g, o.output(), "", parentImageId, extra);
      metadata.insertImage(s.row());
      saved.add(s);
    }
    return new Produced(
        saved,
        grounding
            ? ReferenceChecks.warnings(prompt, references, grounder)
            : ReferenceChecks.warnings(prompt, references),
        Map.of());
  }

  List<GeneratedImage> runEdit(
      String prompt, RgbImage image, EditMode mode, SamplingParams sampling) {
    return runEdit(
        prompt, image, mode, sampling, List.of(), ProgressListener.NONE, CancellationToken.none());
  }

  /** Runs the engine's edit, reporting steps to {@code progress}; stores nothing. */
  List<GeneratedImage> runEdit(
      String prompt,
      RgbImage image,
      EditMode mode,
      SamplingParams sampling,
      ProgressListener progress,
      CancellationToken cancel) {
    return runEdit(prompt, image, mode, sampling, List.of(), progress, cancel);
  }

  /** An edit with references (the caller adds any style emphasis to the prompt). */
  List<GeneratedImage> runEdit(
      String prompt,
      RgbImage image,
      EditMode mode,
      SamplingParams sampling,
      List<Reference> references,
      ProgressListener progress,
      CancellationToken cancel) {
    EditRequest request;
    try {
      request = new EditRequest(prompt, image, mode, sampling, references);
    } catch (IllegalArgumentException e) {
      String param = e.getMessage().startsWith("mask") ? "mask" : "image";
      throw new AtelierException.InvalidRequest(param, e.getMessage());
    }
    return engine.edit(request, progress, cancel);
  }

  static Map<String, String> timing(long startNanos, int images) {
    long ms = (System.nanoTime() - startNanos) / 1_000_000;
    return Map.of("elapsed_ms", Long.toString(ms), "images_in_call", Integer.toString(images));
  }

  /** Stores an inpainting mask as an image of its own, so provenance can name it by id. */
  Map<String, String> maskProvenance(EditMode mode) {
    if (!(mode instanceof EditMode.Inpaint(var mask))) {
      return Map.of();
    }
    return Map.of("mask_id", storeMask(mask));
  }

  /** Stores a mask as a grey PNG (white = edit) and returns its image id. */
  String storeMask(dev.atelier.core.image.Mask mask) {
    Library.Saved saved =
        library.saveMask(mask, Map.of("kind", "mask", "convention", "white = edit"));
    metadata.insertImage(saved.row());
    return saved.row().id();
  }

  /** Decodes a stored image. */
  public RgbImage load(String imageId) {
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
    return ImageCodec.decode(bytes, ImageInputs.STORED_LIMITS);
  }

  /** How a round edits the head image: with a mask, as an instruction, or image-to-image. */
  public interface EditModeChoice {
    EditMode mode(RgbImage current);
  }
}
