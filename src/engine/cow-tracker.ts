// What the stepping timeline asks of a copy-on-write model, whichever it is: take a step's
// writes while the child saves its share of the keys, then tell what has been copied, what
// the child still holds, and how many faults the parent took.

export interface CowTracker {
  /**
   * Applies a step's overwrites and bucket writes (real-valued counts) while the child's saved
   * share of the keys moves from `savedFrom` to `savedTo`; the state is read through the getters.
   */
  advance(overwrites: number, bucketWrites: number, savedFrom: number, savedTo: number): void;
  /** 4 KiB pages copied so far. */
  copiedPages(): number;
  /** Copied pages not yet released by the child's dismiss: its Private_Dirty, in pages. */
  heldPages(): number;
  /** Copy-on-write faults the parent took so far. */
  faults(): number;
}
