/**
 * The {@code atelier} command line: {@code generate}, {@code edit} and {@code bench} on a local
 * model folder. Parsing and printing only; the work is done by {@code atelier-engine-onnx}. The
 * exception is {@code bench-server}, an HTTP load test that may start {@code serve --demo} in a
 * child JVM ({@code ChildServer}) and samples its RSS ({@code RssSampler}).
 */
package dev.atelier.cli;
