/** Reference images in the workflow: the wording a prompt gets for them, whatever engine runs. */
package dev.atelier.core.reference;
