/**
 * Helpers behind {@link dev.atelier.store.JdbcMetadataStore} and {@link
 * dev.atelier.store.FileBlobStore}: SQL dialects, connections and transactions, migrations, row
 * mapping and fsync. Not API: anything here may change without notice; callers use the types in
 * {@code dev.atelier.store}.
 */
package dev.atelier.store.internal;
