/** The typed registry of breach patterns: one entry per PatternId, one file per pattern. */
import type { Attack, PatternId } from '../domain/scenario.js';
import type { TrialContext } from '../reach/context.js';
import type { Foothold } from '../reach/engine.js';
import type { PatternDefinition } from './pattern.js';
import { secretReplay } from './secret-replay.js';
import { lateralMovement } from './lateral-movement.js';
import { toolChaining } from './tool-chaining.js';
import { intentDrift } from './intent-drift.js';
import { orphanedCredential } from './orphaned-credential.js';
import { massLeak } from './mass-leak.js';

/** Every pattern by id. */
export const PATTERNS: { readonly [P in PatternId]: PatternDefinition<Extract<Attack, { pattern: P }>> } = {
  'secret-replay': secretReplay,
  'lateral-movement': lateralMovement,
  'tool-chaining': toolChaining,
  'intent-drift': intentDrift,
  'orphaned-credential': orphanedCredential,
  'mass-leak': massLeak,
};

/** Builds an attack's foothold with its pattern. */
export function footholdOf(ctx: TrialContext, attack: Attack): Foothold {
  const definition = PATTERNS[attack.pattern] as PatternDefinition<Attack>;
  return definition.foothold(ctx, attack);
}
