/**
 * tool-chaining — a hijacked agent (e.g. prompt-injected) drives its tools, and tools drive tools.
 *
 * Semantics: from `at` the agent is controlled (R1). Privilege flows downstream through `invokes`
 * (R5): each tool acts with its own credentials — standing ones with everything they grant, broker-
 * managed ones only for requests the agent declared (R7) — without their material changing hands;
 * material is exposed only where an action reads a node that holds it (R3) or a tool is taken over
 * with admin (R4).
 *
 * Incidents: the confused-deputy chains of OWASP ASI02 (tool misuse); Midnight Blizzard (2024: a
 * legacy OAuth app with standing rights used to grant new apps mailbox access); the Cloudflare
 * chain from gateway to wiki, tracker and Bitbucket (2023).
 */
import type { ToolChainingAttack } from '../domain/scenario.js';
import type { PatternDefinition } from './pattern.js';

export const toolChaining: PatternDefinition<ToolChainingAttack> = {
  id: 'tool-chaining',
  summary: 'a hijacked agent invokes tools that invoke tools; each acts with its own credentials',
  foothold(ctx, attack) {
    return {
      startMs: attack.atMs,
      firstHopMs: attack.atMs,
      instances: [],
      control: [ctx.model.indexOf.get(attack.agent)!],
      attemptFilter: null,
      countFilter: null,
    };
  },
};
