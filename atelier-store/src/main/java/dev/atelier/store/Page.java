package dev.atelier.store;

import java.util.List;

/**
 * One page of a newest-first listing.
 *
 * @param items at most the requested number of items, newest first
 * @param hasMore whether older items follow the last one
 * @param <T> what is listed
 */
public record Page<T>(List<T> items, boolean hasMore) {

  /** Copies the items. */
  public Page {
    items = List.copyOf(items);
  }
}
