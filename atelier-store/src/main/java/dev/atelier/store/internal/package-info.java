/**
 * Helpers behind {@link dev.atelier.store.JdbcMetadataStore} and {@link
 * dev.atelier.store.FileBlobStore} and {@link dev.atelier.store.S3BlobStore}: SQL dialects,
 * connections and transactions, migrations, row mapping, fsync, blob names and S3 keys. Not API:
 * anything here may change without notice; callers use the types in {@code dev.atelier.store}.
 */
package dev.atelier.store.internal;
