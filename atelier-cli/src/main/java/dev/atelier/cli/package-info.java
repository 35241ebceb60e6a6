/**
 * The {@code atelier} command line: {@code generate}, {@code edit} and {@code bench} on a local
 * model folder. Parsing and printing only; the work is done by {@code atelier-engine-onnx}.
 */
package dev.atelier.cli;
