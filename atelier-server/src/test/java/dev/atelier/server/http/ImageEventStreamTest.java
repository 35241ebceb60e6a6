package dev.atelier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.AtelierException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which steps become partial images, and the error event's shape. */
class ImageEventStreamTest {
  /** The steps of a run of {@code total} that give partial images 0, 1, ... in order. */
  static List<Integer> picked(int total, int k) {
    List<Integer> steps = new ArrayList<>();
    for (int step = 1; step <= total; step++) {
      int index = ImageEventStream.partialIndex(step, total, k);
      if (index >= 0) {
        assertThat(index).as("index at step %d", step).isEqualTo(steps.size());
        steps.add(step);
      }
    }
    return steps;
  }

  @Test
  void stepsAreSpreadEvenlyAndNeverTheLast() {
    assertThat(picked(10, 2)).containsExactly(3, 7);
    assertThat(picked(20, 3)).containsExactly(5, 10, 15);
    assertThat(picked(4, 1)).containsExactly(2);
    assertThat(picked(30, 0)).isEmpty();
    // An engine that reports k partial images as steps 1..k of k + 1 gets each of them.
    assertThat(picked(4, 3)).containsExactly(1, 2, 3);
    assertThat(picked(3, 2)).containsExactly(1, 2);
    // Short runs give fewer partial images, as OpenAI's do: never the final step, never twice.
    assertThat(picked(1, 3)).isEmpty();
    assertThat(picked(2, 3)).containsExactly(1);
  }

  @Test
  void errorEventsCarryErrorMappersErrorObject() {
    var event =
        ImageEventStream.errorEvent(
            new AtelierException.UpstreamFailure(400, "rejected", "prompt", "moderation", null));
    assertThat(event.string("type", "")).isEqualTo("error");
    var error = event.object("error").orElseThrow();
    assertThat(error.string("message", "")).isEqualTo("upstream: rejected");
    assertThat(error.string("type", "")).isEqualTo("invalid_request_error");
    assertThat(error.string("param", "")).isEqualTo("prompt");
    assertThat(error.string("code", "")).isEqualTo("moderation");
    assertThat(event.members().keySet()).containsExactly("type", "error");
  }
}
