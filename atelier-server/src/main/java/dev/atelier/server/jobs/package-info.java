/**
 * Durable image jobs: {@link dev.atelier.server.jobs.JobRunner}, the scheduler whose workers claim
 * jobs from the metadata store under leases, run them, and end them in the store; {@link
 * dev.atelier.server.jobs.PendingWrites}, which holds a job's rows until its completion commits
 * them; and {@link dev.atelier.server.jobs.JobEvents}, a job's numbered events for server-sent
 * events. The HTTP side (submission, {@code /v1/jobs}) is in {@code dev.atelier.server.http}; the
 * queue's storage is {@link dev.atelier.store.JobStore}. See docs/adr/0021.
 */
package dev.atelier.server.jobs;
