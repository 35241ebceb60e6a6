package dev.atelier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationTokenTest {
  @Test
  void listenersRunOnceOnCancelAtOnceWhenAlreadyCancelledAndNotAfterClosing() {
    CancellationToken t = new CancellationToken();
    AtomicInteger early = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    t.onCancel(early::incrementAndGet);
    t.onCancel(closed::incrementAndGet).close();
    t.cancel();
    t.cancel();
    assertThat(early).hasValue(1);
    assertThat(closed).hasValue(0);
    AtomicInteger late = new AtomicInteger();
    t.onCancel(late::incrementAndGet);
    assertThat(late).as("registered after the cancel: run at once").hasValue(1);
    assertThatThrownBy(() -> t.throwIfCancelled("before step 2"))
        .isInstanceOf(AtelierException.Cancelled.class)
        .hasMessage("cancelled before step 2");
  }
}
