/**
 * Glare: two users call each other at once. Both sides must agree, without talking, on
 * which call survives: the one placed by the smaller uid. The other caller answers it.
 */

/** True when our own call to `peer` gives way to theirs. */
export function ourCallYields(self: string, peer: string): boolean {
  return self > peer;
}
