// A fresh TypeScript project: `npm install blastlab`, then `npx tsc && node simulate.js`.
import { simulate, type SimulationResult } from 'blastlab';

// A scenario is plain data, written as in a scenario file (docs: scenario format).
const scenario = {
  name: 'support-agent',
  trials: 50,
  horizon: '7d',
  nodes: [
    { id: 'support-agent', kind: 'agent' },
    { id: 'crm-tool', kind: 'tool' },
    { id: 'crm', kind: 'resource', sensitivity: 'confidential', records: 500 },
    { id: 'crm-token', kind: 'credential' },
  ],
  edges: [
    { from: 'support-agent', to: 'crm-tool', kind: 'invokes' },
    { from: 'crm-tool', to: 'crm-token', kind: 'holds' },
    { from: 'crm-token', to: 'crm', kind: 'grants', actions: ['read'] },
  ],
  workload: [{ agent: 'support-agent', every: '1h', duration: '1m', steps: [{ target: 'crm', action: 'read', via: 'crm-tool' }] }],
  attacks: [{ name: 'hijack', pattern: 'lateral-movement', entry: 'support-agent', at: '1d' }],
  policies: {
    persistent: { kind: 'persistent', rotation: '90d' },
    'ephemeral-5m': { kind: 'ephemeral', ttl: '5m', revokeOn: ['completion'] },
  },
};

const result: SimulationResult = await simulate(scenario, { seed: 7 });
for (const policy of result.policies) {
  const m = result.metrics(policy, 'hijack');
  console.log(`${policy}: blast radius ${m.blast_radius.mean} [${m.blast_radius.ci95Low}, ${m.blast_radius.ci95High}], tokens ${m.tokens_issued.mean}`);
}
const rec = result.recommendation('hijack');
console.log(rec.state === 'policy' ? `recommended: ${rec.policy} (${rec.reason.message})` : `recommendation: ${rec.state}`);
