/**
 * Sessions: stored images, the round tree, and the rules for undo, checkout and restart
 * (consolidation) with their warnings. Values and pure logic only; persistence is in {@code
 * atelier-store}, HTTP in {@code atelier-server}.
 */
package dev.atelier.core.session;
