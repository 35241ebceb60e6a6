/**
 * The CLIP tokenizer used by Stable Diffusion text encoders, in pure Java.
 *
 * <p>{@link dev.atelier.engine.onnx.tokenizer.ClipTokenizer} reads a Hugging Face tokenizer folder
 * ({@code vocab.json}, {@code merges.txt}, {@code special_tokens_map.json}, {@code
 * tokenizer_config.json}) and produces the same ids as transformers' {@code CLIPTokenizer}, which
 * the text encoder was trained against; any difference would silently change the prompt embedding.
 */
package dev.atelier.engine.onnx.tokenizer;
