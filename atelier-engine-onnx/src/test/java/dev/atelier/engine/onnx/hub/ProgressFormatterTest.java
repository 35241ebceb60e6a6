package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressFormatterTest {

  @Test
  void rateIsBytesPerSecond() {
    assertThat(ProgressFormatter.rate(10_000_000, 2_000_000_000L)).isEqualTo(5_000_000.0);
    assertThat(ProgressFormatter.rate(123, 0)).isZero();
  }

  @Test
  void etaRoundsUpAndPicksUnits() {
    assertThat(ProgressFormatter.eta(0, 0)).isEqualTo("0s");
    assertThat(ProgressFormatter.eta(100, 0)).isEqualTo("--:--");
    assertThat(ProgressFormatter.eta(41, 1)).isEqualTo("41s");
    assertThat(ProgressFormatter.eta(185, 1)).isEqualTo("3m05s");
    assertThat(ProgressFormatter.eta(7_620, 1)).isEqualTo("2h07m");
    assertThat(ProgressFormatter.eta(10, 3)).isEqualTo("4s");
  }

  @Test
  void bytesUseDecimalUnits() {
    assertThat(ProgressFormatter.bytes(512)).isEqualTo("512 B");
    assertThat(ProgressFormatter.bytes(1_500)).isEqualTo("1.5 kB");
    assertThat(ProgressFormatter.bytes(5_500_000_000L)).isEqualTo("5.5 GB");
  }

  @Test
  void lineShowsBarRateAndEtaCountingOnlyNewBytes() {
    AtomicLong clock = new AtomicLong(0);
    ProgressFormatter f = new ProgressFormatter(clock::get);

    // Resumed at 1 GB of 4 GB: the first report starts the clock, rate unknown.
    assertThat(f.format("unet/model.onnx", 1_000_000_000L, 4_000_000_000L))
        .isEqualTo("unet/model.onnx [#####---------------]  25% 1.0 GB/4.0 GB 0 B/s ETA --:--");
    clock.set(10_000_000_000L);
    assertThat(f.format("unet/model.onnx", 1_100_000_000L, 4_000_000_000L))
        .isEqualTo("unet/model.onnx [######--------------]  27% 1.1 GB/4.0 GB 10.0 MB/s ETA 4m50s");
  }
}
