/**
 * A small JSON reader and writer, so that {@code atelier-core} needs nothing beyond the JDK.
 *
 * <p>Holds the value tree ({@link dev.atelier.core.json.JsonValue}) and the parser/writer ({@link
 * dev.atelier.core.json.Json}); no data binding or schema logic lives here.
 */
package dev.atelier.core.json;
