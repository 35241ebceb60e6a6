package dev.atelier.server.images;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.reference.StyleEmphasis;
import dev.atelier.core.session.Ids;
import dev.atelier.core.session.PromptMerger;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.RoundWarnings;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.SessionTree;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.http.GenerationOptions;
import dev.atelier.server.http.ImageInputs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-round sessions on top of {@link ImageService}: create from a prompt or an image, add rounds
 * (plain-words local edits or explicit modes), undo, checkout (branch), restart with the path's
 * instructions merged, delete. Every round's image and row are stored like any other result.
 *
 * <p>One instance acts for one caller: sessions it creates record the caller's owner, and another
 * owner's session is answered exactly like a session that does not exist (no existence leak),
 * unless the caller is an admin.
 */
public final class Sessions {
  private final ImageService images;
  private final Caller caller;

  /** Sessions of a server without keys: the anonymous caller, who owns and sees everything. */
  Sessions(ImageService images) {
    this(images, Caller.ANONYMOUS);
  }

  /** Sessions of {@code caller}, made with {@code images}. */
  public Sessions(ImageService images, Caller caller) {
    this.images = images.forCaller(caller);
    this.caller = caller;
  }

  /**
   * A round added to a session, with the session after it.
   *
   * @param fidelity the round's fidelity report (and drift since round 0), or an empty object
   * @param plan the plain-words round's 3W1K plan, or an empty object for other rounds
   */
  public record RoundResult(
      Session session,
      Round round,
      Library.Saved image,
      List<String> warnings,
      dev.atelier.core.json.JsonValue.Obj fidelity,
      dev.atelier.core.json.JsonValue.Obj plan) {
    RoundResult(Session session, Round round, Library.Saved image, List<String> warnings) {
      this(session, round, image, warnings, new dev.atelier.core.json.JsonValue.Obj(Map.of()));
    }

    /** A round with its fidelity reports and no plan. */
    public RoundResult(
        Session session,
        Round round,
        Library.Saved image,
        List<String> warnings,
        dev.atelier.core.json.JsonValue.Obj fidelity) {
      this(
          session,
          round,
          image,
          warnings,
          fidelity,
          new dev.atelier.core.json.JsonValue.Obj(Map.of()));
    }
  }

  /** A session whose first image is generated from {@code prompt}. */
  Session createFromPrompt(String prompt, GenerationOptions o) {
    return createFromPrompt(prompt, o, true);
  }

  /**
   * A session whose first image is generated from {@code prompt}; its parameters are recorded for
   * restarts ({@link SessionParams}).
   *
   * @param seedGiven whether the request named the seed (restarts then reuse it)
   */
  public Session createFromPrompt(String prompt, GenerationOptions o, boolean seedGiven) {
    return createFromPrompt(prompt, o, seedGiven, ProgressListener.NONE, CancellationToken.none());
  }

  /**
   * Like {@link #createFromPrompt(String, GenerationOptions, boolean)}, reporting the engine's
   * steps; when {@code cancel} is cancelled nothing is stored.
   */
  public Session createFromPrompt(
      String prompt,
      GenerationOptions o,
      boolean seedGiven,
      ProgressListener progress,
      CancellationToken cancel) {
    SamplingParams one = o.sampling().toBuilder().n(1).build();
    GeneratedImage g =
        images
            .engine()
            .generate(
                new GenerationRequest(
                    StyleEmphasis.apply(prompt, o.references()), o.size(), one, o.references()),
                progress,
                cancel)
            .get(0);
    cancel.throwIfCancelled("before storing");
    String sessionId = Ids.newId("ses");
    Library.Saved s = images.library().save(g, Library.Output.PNG, sessionId, "", Map.of());
    Map<String, String> params = new LinkedHashMap<>(g.parameters());
    params.putAll(SessionParams.record(o, seedGiven));
    return create(sessionId, s, prompt, params);
  }

  /** A session that starts from an uploaded or stored image, without a prompt. */
  Session createFromImage(RgbImage image) {
    return createFromImage(image, "", null, false);
  }

  /**
   * A session that starts from an uploaded or stored image.
   *
   * @param prompt what the image shows, {@code ""} for none; kept as the first round's prompt, so a
   *     restart has a base to merge the rounds into
   * @param o the request's generation parameters, recorded for restarts; {@code null} for none
   * @param seedGiven whether the request named the seed
   */
  public Session createFromImage(
      RgbImage image, String prompt, GenerationOptions o, boolean seedGiven) {
    String sessionId = Ids.newId("ses");
    Map<String, String> provenance = Map.of("source", "upload");
    GeneratedImage uploaded = new GeneratedImage(image, 0, provenance);
    Library.Saved s = images.library().save(uploaded, Library.Output.PNG, sessionId, "", Map.of());
    Map<String, String> params = new LinkedHashMap<>(provenance);
    if (o != null) {
      params.putAll(SessionParams.record(o, seedGiven));
    }
    return create(sessionId, s, prompt, params);
  }

  private Session create(
      String sessionId, Library.Saved image, String prompt, Map<String, String> recorded) {
    Instant now = Instant.now();
    Map<String, String> params = new LinkedHashMap<>(recorded);
    params.putAll(SessionParams.model(images.model().id()));
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
    Session session = new Session(sessionId, now, root.id(), List.of(root), caller.owner());
    images.metadata().createSession(session, image.row());
    return session;
  }

  /**
   * The served model the session {@code id} was created with, when it recorded one (sessions made
   * before models were recorded did not) and this server still serves it.
   *
   * @throws AtelierException.NotFound when there is no such session for the caller
   */
  public java.util.Optional<String> model(String id) {
    Session s = session(id);
    return SessionParams.model(s.rounds().get(0).params())
        .filter(m -> images.models().find(m).isPresent());
  }

  /**
   * The session {@code id} if the caller may see it.
   *
   * @throws AtelierException.NotFound when there is no such session, or it is another owner's (the
   *     same answer, so that ids of other owners' sessions cannot be probed)
   */
  public Session session(String id) {
    if (!Ids.isValid("ses", id)) {
      throw notFound(id);
    }
    Session s = images.metadata().session(id).orElseThrow(() -> notFound(id));
    if (!caller.owns(s.owner())) {
      throw notFound(id);
    }
    return s;
  }

  /** The 404 for a session id that does not exist (or is not the caller's). */
  public static AtelierException.NotFound notFound(String id) {
    return new AtelierException.NotFound("session", "no session with id '" + id + "'");
  }

  /** Edits the head image of the session with {@code instruction}. */
  RoundResult addRound(
      String sessionId,
      String instruction,
      ImageService.EditModeChoice choice,
      GenerationOptions o) {
    return addRound(
        sessionId, instruction, choice, o, ProgressListener.NONE, CancellationToken.none());
  }

  /**
   * Like {@link #addRound(String, String, ImageService.EditModeChoice, GenerationOptions)},
   * reporting the engine's steps; when {@code cancel} is cancelled nothing is stored and the head
   * stays.
   */
  public RoundResult addRound(
      String sessionId,
      String instruction,
      ImageService.EditModeChoice choice,
      GenerationOptions o,
      ProgressListener progress,
      CancellationToken cancel) {
    Session session = session(sessionId);
    Round head = session.head();
    RgbImage current = images.load(head.imageId());
    EditMode mode = choice.mode(current);
    SamplingParams one = o.sampling().toBuilder().n(1).build();
    long start = System.nanoTime();
    GeneratedImage g =
        images
            .runEdit(
                StyleEmphasis.apply(instruction, o.references()),
                current,
                mode,
                one,
                o.references(),
                progress,
                cancel)
            .get(0);
    cancel.throwIfCancelled("before storing");
    Map<String, String> extra = new LinkedHashMap<>(images.maskProvenance(mode));
    extra.put("instruction", instruction);
    extra.put("session", sessionId);
    extra.putAll(ImageService.timing(start, 1));
    int since = head.roundsSinceRestart() + 1;
    Library.Saved s =
        images.library().save(g, Library.Output.PNG, sessionId, head.imageId(), extra);
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
    images.metadata().addRound(s.row(), round);
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
    return localRound(
        sessionId,
        instruction,
        mask,
        o,
        threshold,
        ProgressListener.NONE,
        CancellationToken.none());
  }

  /**
   * Like {@link #localRound(String, String, dev.atelier.core.image.Mask, GenerationOptions,
   * double)}, reporting the engine's steps; when cancelled nothing is stored.
   */
  public RoundResult localRound(
      String sessionId,
      String instruction,
      dev.atelier.core.image.Mask mask,
      GenerationOptions o,
      double threshold,
      ProgressListener progress,
      CancellationToken cancel) {
    Session session = session(sessionId);
    Round head = session.head();
    RgbImage current = images.load(head.imageId());
    GenerationOptions one =
        new GenerationOptions(
            o.sampling().toBuilder().n(1).build(),
            o.size(),
            o.sizeAuto(),
            Library.Output.PNG,
            o.urlResponse(),
            o.references(),
            o.request(),
            o.notices());
    ImageService.LocalResult r =
        images.localEdit(
            current,
            instruction,
            mask,
            one,
            threshold,
            sessionId,
            head.imageId(),
            progress,
            cancel);
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
    images.metadata().addRound(s.row(), round);
    List<String> warnings = new ArrayList<>(r.outcome().warnings());
    for (String w : RoundWarnings.forRound(since, instruction)) {
      String filled = w.replace("{id}", sessionId);
      if (!warnings.contains(filled)) {
        warnings.add(filled);
      }
    }
    Map<String, dev.atelier.core.json.JsonValue> fidelity =
        new LinkedHashMap<>(r.outcome().reports().get(0).toJsonValue().members());
    // null, not NaN: with no never-edited pixel there is nothing to measure (see README).
    fidelity.put(
        "drift_since_first",
        drift(session, round, s)
            .<dev.atelier.core.json.JsonValue>map(dev.atelier.core.json.JsonValue.Num::new)
            .orElse(dev.atelier.core.json.JsonValue.Null.INSTANCE));
    return new RoundResult(
        session(sessionId),
        round,
        s,
        warnings,
        new dev.atelier.core.json.JsonValue.Obj(fidelity),
        r.outcome().plan().toJsonValue());
  }

  /**
   * Fraction of pixels outside every region edited along the path that differ from the chain's
   * first image (0 when preservation held); empty when it cannot be measured: a whole-image round
   * on the path, regions that cover the whole image, or a size change.
   */
  private java.util.Optional<Double> drift(Session before, Round added, Library.Saved image) {
    List<Round> path = new ArrayList<>(new SessionTree(before).path(added.parentId()));
    path.add(added);
    RgbImage first = images.load(path.get(0).imageId());
    RgbImage now = ImageCodec.decode(image.bytes(), ImageInputs.STORED_LIMITS);
    if (first.width() != now.width() || first.height() != now.height()) {
      return java.util.Optional.empty();
    }
    float[] union = new float[first.width() * first.height()];
    for (Round r : path) {
      String maskId = r.params().getOrDefault("region_mask_id", "");
      if (maskId.isEmpty()) {
        if (r.kind() == Round.Kind.EDIT) {
          return java.util.Optional.empty(); // a whole-image round: nothing is "never edited"
        }
        continue;
      }
      RgbImage m = images.load(maskId);
      for (int p = 0; p < union.length; p++) {
        if ((m.rgb()[p * 3] & 0xff) > 0) {
          union[p] = 1f;
        }
      }
    }
    java.util.OptionalDouble d =
        dev.atelier.core.image.FidelityReport.driftOutside(
            first, now, new dev.atelier.core.image.Mask(first.width(), first.height(), union));
    return d.isPresent() ? java.util.Optional.of(d.getAsDouble()) : java.util.Optional.empty();
  }

  /** Moves the head back one round; refused on the first round of its chain. */
  public Session undo(String sessionId) {
    Session session = session(sessionId);
    Round target =
        new SessionTree(session)
            .undoTarget()
            .orElseThrow(
                () ->
                    new AtelierException.InvalidRequest(
                        "session", "nothing to undo: the head is the first round of its chain"));
    images.metadata().moveHead(sessionId, target.id());
    return session(sessionId);
  }

  /** Moves the head to round {@code roundId} of the session. */
  public Session checkout(String sessionId, String roundId) {
    Session session = session(sessionId);
    if (session.round(roundId).isEmpty()) {
      throw new AtelierException.NotFound(
          "round_id", "session " + sessionId + " has no round '" + roundId + "'");
    }
    images.metadata().moveHead(sessionId, roundId);
    return session(sessionId);
  }

  /**
   * A restart's outcome: what was merged, with which parameters, and the new round unless it was a
   * dry run.
   *
   * @param merge the merged prompt, the rounds merged and omitted, and one warning per omission
   * @param options the parameters the re-render uses (the session's, overridden by the request)
   * @param strength the image-to-image strength
   * @param result the stored round; empty for a dry run, which stores nothing
   */
  public record Restart(
      PromptMerger.Merge merge,
      GenerationOptions options,
      double strength,
      java.util.Optional<RoundResult> result) {}

  /**
   * Consolidates: re-renders the chain's first image with the head path's rounds merged into one
   * prompt (image-to-image), as a new root-like round. Rounds undone from the chain and structural
   * rounds are left out, each with a warning. The re-render uses the session's recorded parameters
   * ({@link SessionParams}); the fields named in {@code explicit} keep the request's values.
   *
   * @param requested the request's parameters (server defaults where it named none)
   * @param explicit the field names the request body contains
   * @param dryRun when true, only merges: no engine call, no image, no round, head unchanged
   * @throws AtelierException.InvalidRequest when there is nothing to merge
   */
  public Restart restart(
      String sessionId,
      GenerationOptions requested,
      java.util.Set<String> explicit,
      double strength,
      boolean dryRun) {
    return restart(
        sessionId,
        requested,
        explicit,
        strength,
        dryRun,
        ProgressListener.NONE,
        CancellationToken.none());
  }

  /**
   * Like {@link #restart(String, GenerationOptions, java.util.Set, double, boolean)}, reporting the
   * engine's steps; when {@code cancel} is cancelled nothing is stored.
   */
  public Restart restart(
      String sessionId,
      GenerationOptions requested,
      java.util.Set<String> explicit,
      double strength,
      boolean dryRun,
      ProgressListener progress,
      CancellationToken cancel) {
    Session session = session(sessionId);
    SessionTree tree = new SessionTree(session);
    List<Round> path = tree.path(session.headRoundId());
    Round first = path.get(0);
    java.util.Set<String> onPath = new java.util.HashSet<>();
    for (Round r : path) {
      onPath.add(r.id());
    }
    List<PromptMerger.Step> steps = new ArrayList<>();
    for (Round r : session.rounds()) {
      // Every edit of this chain, in the order made: those off the head's path were undone (or
      // sit on another branch) and are reported, not merged.
      if (r.kind() == Round.Kind.EDIT && tree.path(r.id()).get(0).id().equals(first.id())) {
        steps.add(new PromptMerger.Step(r.id(), r.instruction(), !onPath.contains(r.id())));
      }
    }
    String base =
        first.kind() == Round.Kind.RESTART
            ? first.params().getOrDefault("base_prompt", "")
            : first.instruction();
    PromptMerger.Merge merge = PromptMerger.consolidate(base, steps);
    String merged = merge.prompt();
    if (merged.isBlank()) {
      throw new AtelierException.InvalidRequest(
          "session", "nothing to consolidate: the session has no prompt and no instructions yet");
    }
    GenerationOptions o = SessionParams.forRestart(first.params(), requested, explicit);
    if (dryRun) {
      return new Restart(merge, o, strength, java.util.Optional.empty());
    }
    RgbImage firstImage = images.load(first.imageId());
    SamplingParams one = o.sampling().toBuilder().n(1).build();
    GeneratedImage g =
        images
            .runEdit(
                merged,
                firstImage,
                new EditMode.ImageToImage(strength),
                one,
                java.util.List.of(),
                progress,
                cancel)
            .get(0);
    cancel.throwIfCancelled("before storing");
    Library.Saved s =
        images
            .library()
            .save(
                g, Library.Output.PNG, sessionId, first.imageId(), Map.of("merged_prompt", merged));
    Map<String, String> params = new LinkedHashMap<>(g.parameters());
    params.putAll(SessionParams.carried(first.params()));
    params.put("merged_prompt", merged);
    params.put("base_prompt", merged);
    params.put("consolidated_from", session.headRoundId());
    params.put("strength", Double.toString(strength));
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
    images.metadata().addRound(s.row(), round);
    return new Restart(
        merge,
        o,
        strength,
        java.util.Optional.of(new RoundResult(session(sessionId), round, s, merge.warnings())));
  }

  /**
   * Deletes the session if the caller may see it.
   *
   * @return false when there is no such session, or it is another owner's
   */
  public boolean delete(String sessionId) {
    if (!Ids.isValid("ses", sessionId)) {
      return false;
    }
    var s = images.metadata().session(sessionId);
    if (s.isEmpty() || !caller.owns(s.get().owner())) {
      return false;
    }
    return images.metadata().deleteSession(sessionId);
  }
}
