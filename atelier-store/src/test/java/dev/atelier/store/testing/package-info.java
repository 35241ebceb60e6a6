/**
 * Test support shared with other modules' tests through atelier-store's test-jar: {@link
 * dev.atelier.store.testing.S3Proxy}, a real S3-compatible server in a separate process, and the
 * JUnit extension that hands it to tests; {@link dev.atelier.store.testing.TestPostgres}, a fresh
 * schema on the test PostgreSQL server.
 */
package dev.atelier.store.testing;
