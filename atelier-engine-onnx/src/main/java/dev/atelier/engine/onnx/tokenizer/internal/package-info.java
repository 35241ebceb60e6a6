/**
 * Building blocks of {@link dev.atelier.engine.onnx.tokenizer.ClipTokenizer}: the GPT-2 byte to
 * character table, CLIP text normalisation and pre-splitting, literal added-token splitting and the
 * byte-level BPE merge loop.
 *
 * <p>Not an API: these classes exist to keep the tokenizer readable and may change with it.
 */
package dev.atelier.engine.onnx.tokenizer.internal;
