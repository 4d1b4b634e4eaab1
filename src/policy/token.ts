/** One word of a location segment, as the tokenizers read it. */
import type { Term } from './lexicon.js';

export type Token =
  /** A vocabulary term. */
  | { kind: 'term'; text: string; term: Term }
  /** Words the vocabulary does not know; `roomLike` when they name a room (XX室, a value under `room/`). */
  | { kind: 'unknown'; text: string; roomLike: boolean }
  /** Latin filler (the, of, to …): skipped, but "to"/"of" link a locative to the room after it. */
  | { kind: 'stop'; text: string }
  /** Numbers, designators, placeholders: never a zone, skipped when looking for neighbours. */
  | { kind: 'noise'; text: string };
