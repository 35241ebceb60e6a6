package dev.atelier.server.auth;

import dev.atelier.server.http.ErrorMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Each key's limits ({@link Caller}): requests per minute, image-producing requests at once, and
 * images per UTC day. A request over a limit is refused with a 429 in OpenAI's shape before its
 * route runs, so it stores nothing; every response to a key with a per-minute limit carries
 * OpenAI's {@code x-ratelimit-*-requests} headers. Anonymous callers have no limits.
 *
 * <p>The per-minute limit is a sliding window of the last 60 s of the key's accepted requests. The
 * daily counts and the running requests live in memory: a restart forgets them (a durable count
 * needs the store and comes with jobs). A request's images are counted when it has made them, so
 * several requests running at once may together pass the quota by what they make.
 */
public final class RateLimits {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  /** The requests that make images: generations, edits, variations, new sessions, rounds. */
  private static final Pattern PRODUCING =
      Pattern.compile(
          "/v1/images/(generations|edits|variations)|/v1/sessions(/[^/]+/(rounds|restart))?");

  private static final String HELD = "atelier.rateLimits.held";
  private static final String PRODUCED = "atelier.rateLimits.produced";

  private final Clock clock;
  private final Map<String, ArrayDeque<Instant>> recent = new ConcurrentHashMap<>();
  private final Map<String, Day> daily = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

  /** One key's images on one UTC day. */
  private record Day(long epochDay, int images) {}

  RateLimits(Clock clock) {
    this.clock = clock;
  }

  /**
   * Installs the limits. They run as a before-matched handler: Javalin runs every plain {@code
   * before} handler (request ids, authentication, which stores the {@link Caller}) before any
   * before-matched one, whatever order they were installed in, so the caller is known here; and
   * only requests to a route are counted (not the studio's files or a 404).
   */
  public static void install(JavalinConfig c, Clock clock) {
    RateLimits limits = new RateLimits(clock);
    c.routes.beforeMatched(limits::admit);
    // after runs whether the route answered or threw, so a held slot is always given back.
    c.routes.after(limits::release);
  }

  /** Records that the request of {@code ctx} made {@code images} images (for the daily quota). */
  public static void produced(Context ctx, int images) {
    Integer before = ctx.attribute(PRODUCED);
    ctx.attribute(PRODUCED, (before == null ? 0 : before) + images);
  }

  void admit(Context ctx) {
    Caller caller = Caller.of(ctx);
    if (caller.requestsPerMinute() > 0) {
      perMinute(ctx, caller);
    }
    if (!ctx.method().name().equals("POST") || !PRODUCING.matcher(ctx.path()).matches()) {
      return;
    }
    if (caller.imagesPerDay() > 0) {
      long today = LocalDay.of(clock.instant());
      Day d = daily.get(caller.keyId());
      int made = d == null || d.epochDay() != today ? 0 : d.images();
      if (made >= caller.imagesPerDay()) {
        long untilMidnight = (today + 1) * 86_400 - clock.instant().getEpochSecond();
        ctx.header("Retry-After", Long.toString(Math.max(1, untilMidnight)));
        throw new ErrorMapper.Refusal(
            429,
            "insufficient_quota",
            "insufficient_quota",
            "this key's daily quota of "
                + caller.imagesPerDay()
                + " images is spent; it renews at 00:00 UTC");
      }
    }
    if (caller.concurrentGenerations() > 0) {
      AtomicInteger n = running.computeIfAbsent(caller.keyId(), k -> new AtomicInteger());
      int now;
      do {
        now = n.get();
        if (now >= caller.concurrentGenerations()) {
          throw new ErrorMapper.Refusal(
              429,
              "requests",
              "rate_limit_exceeded",
              "this key may run "
                  + caller.concurrentGenerations()
                  + " image requests at once (concurrency limit) and "
                  + now
                  + " are running; retry when one finishes");
        }
      } while (!n.compareAndSet(now, now + 1));
      ctx.attribute(HELD, caller.keyId());
    }
  }

  private void perMinute(Context ctx, Caller caller) {
    int limit = caller.requestsPerMinute();
    Instant now = clock.instant();
    ArrayDeque<Instant> times = recent.computeIfAbsent(caller.keyId(), k -> new ArrayDeque<>());
    int remaining;
    Duration reset;
    boolean refused;
    synchronized (times) {
      while (!times.isEmpty() && !times.peekFirst().plus(WINDOW).isAfter(now)) {
        times.removeFirst();
      }
      refused = times.size() >= limit;
      if (!refused) {
        times.addLast(now);
      }
      remaining = limit - times.size();
      reset = Duration.between(now, times.peekFirst().plus(WINDOW));
    }
    ctx.header("x-ratelimit-limit-requests", Integer.toString(limit));
    ctx.header("x-ratelimit-remaining-requests", Integer.toString(remaining));
    ctx.header("x-ratelimit-reset-requests", goDuration(reset));
    if (refused) {
      long seconds = Math.max(1, (reset.toMillis() + 999) / 1000);
      ctx.header("Retry-After", Long.toString(seconds));
      throw new ErrorMapper.Refusal(
          429,
          "requests",
          "rate_limit_exceeded",
          "rate limit reached: this key may make "
              + limit
              + " requests per minute; retry in "
              + seconds
              + " s");
    }
  }

  void release(Context ctx) {
    String held = ctx.attribute(HELD);
    if (held != null) {
      running.get(held).decrementAndGet();
      ctx.attribute(HELD, null);
    }
    Integer made = ctx.attribute(PRODUCED);
    Caller caller = Caller.of(ctx);
    if (made != null && made > 0 && caller.imagesPerDay() > 0) {
      long today = LocalDay.of(clock.instant());
      daily.merge(
          caller.keyId(),
          new Day(today, made),
          (old, add) ->
              old.epochDay() == today ? new Day(today, old.images() + add.images()) : add);
    }
  }

  /** A duration as OpenAI writes {@code x-ratelimit-reset-requests}: {@code 1s}, {@code 250ms}. */
  public static String goDuration(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    long rest = ms % 1000;
    return rest == 0 ? s + "s" : s + "." + String.format(java.util.Locale.ROOT, "%03d", rest) + "s";
  }

  /** The UTC day an instant falls on, as days since the epoch. */
  private static final class LocalDay {
    static long of(Instant t) {
      return t.atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay();
    }
  }
}
