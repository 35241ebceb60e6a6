/**
 * Durable storage: {@link dev.atelier.store.MetadataStore} (JDBC rows, SQLite by default,
 * PostgreSQL when configured, versioned migrations) and {@link dev.atelier.store.BlobStore}
 * (content-addressed image bytes: files in the data folder, or objects in an S3-compatible store
 * through the AWS SDK). No HTTP server and no engine code here.
 */
package dev.atelier.store;
