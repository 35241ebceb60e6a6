package dev.atelier.cli;

/** Placeholder replaced below. */
public final class AtelierCommand {
  private AtelierCommand() {}

  public static void main(String[] args) {}
}
