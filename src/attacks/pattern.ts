/** What a breach pattern is: a foothold built from its parameters; the engine expands it (src/reach/engine.ts). */
import type { Attack } from '../domain/scenario.js';
import type { TrialContext } from '../reach/context.js';
import type { Foothold } from '../reach/engine.js';

/** One breach pattern. `foothold` draws its random delays first, from `ctx.rng`, in a fixed order. */
export interface PatternDefinition<A extends Attack> {
  readonly id: A['pattern'];
  /** One line for reports. */
  readonly summary: string;
  readonly foothold: (ctx: TrialContext, attack: A) => Foothold;
}
