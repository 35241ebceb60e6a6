/**
 * Durable storage: {@link dev.atelier.store.MetadataStore} (JDBC rows, SQLite by default,
 * PostgreSQL when configured, versioned migrations) and {@link dev.atelier.store.BlobStore}
 * (content-addressed image files). No HTTP and no engine code here.
 */
package dev.atelier.store;
