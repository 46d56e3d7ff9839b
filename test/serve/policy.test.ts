/** The policy fields serve applies over real HTTP: revokeOn (B9), reevaluate (B7), callChain (B8). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerSettings } from '../../src/domain/scenario.js';
import { decodeClaimsUnverified } from '../../src/issuer/encode.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { DemoCredentials } from '../../src/serve/broker.js';
import { GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS, TOKEN_TYPE_JWT } from '../../src/serve/broker.js';
import { startBroker, type StartedBroker } from '../../src/serve/start.js';
import { brokered } from '../arbitraries/build.js';
import { agentOf, basic, call, dpopProof, postForm } from './helpers.js';

type Creds = DemoCredentials;
type Server = { running: StartedBroker; creds: Creds; tokenUrl: string };

/** Serves `file` with its policy `name`, changed by `overrides`. */
async function serveWith(file: string, name: string, overrides: Partial<BrokerSettings>): Promise<Server> {
  const scenario = loadScenarioFile(file);
  const chosen = brokered(scenario.policies.find((p) => p.name === name));
  const policy = { ...chosen, broker: { ...chosen.broker, ...overrides } };
  const running = await startBroker({ scenario: { ...scenario, policies: [policy] }, policy: name, port: 0 });
  const creds = JSON.parse((await call('GET', `${running.url}/.well-known/blastlab-credentials`)).text) as Creds;
  return { running, creds, tokenUrl: `${running.url}/token` };
}

function toolOf(creds: Creds, tool: string): Creds['tools'][number] {
  return creds.tools.find((t) => t.tool === tool)!;
}

/** A token exchange of `subject` (workload JWT or access token), as `auth` says, with a DPoP proof by `jwk`. */
async function exchange(
  s: Server,
  subject: { token: string; type: string },
  jwk: Record<string, unknown>,
  params: Record<string, string> = {},
  auth: Record<string, string> = {},
) {
  return postForm(
    s.tokenUrl,
    { grant_type: GRANT_TOKEN_EXCHANGE, subject_token: subject.token, subject_token_type: subject.type, ...params },
    { DPoP: dpopProof(jwk, s.tokenUrl), ...auth },
  );
}

async function introspect(s: Server, token: string, scope?: string) {
  const intro = basic(s.creds.introspection.client_id, s.creds.introspection.client_secret);
  return (
    await postForm(`${s.running.url}/introspect`, { token, ...(scope === undefined ? {} : { scope }) }, { Authorization: intro })
  ).body!;
}

describe('serve: revokeOn (task end)', () => {
  let s: Server;
  beforeAll(async () => {
    // ci-deploy-key's ephemeral-15m revokes on every outcome; this copy keeps tokens on completion.
    s = await serveWith('scenarios/ci-deploy-key.yaml', 'ephemeral-15m', {
      revokeOn: { completion: false, failure: true, timeout: true },
    });
  });
  afterAll(() => s.running.close());

  it('should revoke every live token of a task when it ends with an outcome revokeOn lists, and only those', async () => {
    const ci = agentOf(s.creds, 'ci-agent');
    const wl = { token: ci.subject_token!, type: TOKEN_TYPE_JWT };
    const mint = async (task?: string) => {
      const res = await exchange(s, wl, ci.dpop_jwk, task === undefined ? {} : { task });
      expect(res.status).toBe(200);
      return res.body!.access_token as string;
    };
    const [a1, a2, b1, untagged] = [await mint('run-1'), await mint('run-1'), await mint('run-2'), await mint()];
    expect(decodeClaimsUnverified(a1)).toMatchObject({ txn: 'run-1' });
    const end = (token: string, outcome: string) => postForm(`${s.running.url}/task/end`, { token, outcome });
    // completion is not in this policy's revokeOn: the tokens stay live.
    expect((await end(a1, 'completion')).body).toEqual({ task: 'run-1', outcome: 'completion', revoked: 0 });
    expect(await introspect(s, a1)).toMatchObject({ active: true, txn: 'run-1' });
    // failure is: run-2's token is revoked; run-1 has ended, so its tokens are no longer tracked.
    expect((await end(b1, 'failure')).body).toEqual({ task: 'run-2', outcome: 'failure', revoked: 1 });
    expect(await introspect(s, b1)).toEqual({ active: false });
    expect(await introspect(s, a2)).toMatchObject({ active: true });
    const [c1, c2] = [await mint('run-3'), await mint('run-3')];
    expect((await end(c2, 'timeout')).body).toMatchObject({ revoked: 2 });
    expect([(await introspect(s, c1)).active, (await introspect(s, c2)).active, (await introspect(s, untagged)).active]).toEqual([
      false,
      false,
      true,
    ]);
    expect((await end(untagged, 'failure')).body).toMatchObject({ error: 'invalid_request' });
    expect((await end(c1, 'failure')).body).toMatchObject({ error: 'invalid_grant' });
    expect((await end(a2, 'done')).body).toMatchObject({ error: 'invalid_request' });
    expect((await exchange(s, wl, ci.dpop_jwk, { task: 'has space' })).body).toMatchObject({ error: 'invalid_request' });
  });
});

describe('serve: reevaluate (introspection with the use)', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.running.close())));
  // support-agent: the payment tool holds a key with read, write and admin on payments; the only
  // declared step through it writes payments. Under scope: role its token carries all three.
  async function paymentToken(reevaluate: BrokerSettings['reevaluate']): Promise<{ s: Server; token: string }> {
    const s = await serveWith('scenarios/support-agent.yaml', 'ephemeral-5m', {
      scope: 'role',
      reevaluate,
      bindToWorkload: false,
    });
    servers.push(s);
    const tool = toolOf(s.creds, 'payment-tool');
    const res = await postForm(
      s.tokenUrl,
      { grant_type: 'client_credentials' },
      { Authorization: basic(tool.client_id, tool.client_secret) },
    );
    expect(res.body).toMatchObject({ scope: 'read:payments write:payments admin:payments' });
    return { s, token: res.body!.access_token as string };
  }

  it('should re-check privileged uses against declared intent under reevaluate: privileged, whatever the scope', async () => {
    const { s, token } = await paymentToken('privileged');
    expect(await introspect(s, token, 'admin:payments')).toEqual({ active: false, denied: 'out-of-intent admin on payments' });
    expect(await introspect(s, token, 'write:payments')).toMatchObject({ active: true, client_id: 'payment-tool' });
    expect(await introspect(s, token, 'read:payments')).toMatchObject({ active: true });
    expect(await introspect(s, token)).toMatchObject({ active: true });
    // whole-item scope matching: a token for payments does not cover payments-archive or crm.
    expect(await introspect(s, token, 'read:crm')).toMatchObject({
      active: false,
      denied: "the token's scope does not cover read:crm",
    });
  });

  it('should re-check every use under every-step and none under none', async () => {
    const every = await paymentToken('every-step');
    expect(await introspect(every.s, every.token, 'read:payments')).toMatchObject({
      active: false,
      denied: 'out-of-intent read on payments',
    });
    expect(await introspect(every.s, every.token, 'write:payments')).toMatchObject({ active: true });
    const none = await paymentToken('none');
    expect(await introspect(none.s, none.token, 'admin:payments')).toMatchObject({ active: true });
  });
});

describe('serve: callChain (a tool acting for an agent)', () => {
  // treasury-beyondtrust: one remote-support SaaS (a tool) serves two tenants' helpdesks; each declares
  // admin on its own endpoints through it.
  const file = 'scenarios/breaches/treasury-beyondtrust-2024.yaml';
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.running.close())));
  async function setup(callChain: BrokerSettings['callChain']) {
    const s = await serveWith(file, 'broker-15m', { callChain });
    servers.push(s);
    const tool = toolOf(s.creds, 'rs-saas');
    const helpdesk = agentOf(s.creds, 'treasury-helpdesk');
    const asTool = { Authorization: basic(tool.client_id, tool.client_secret) };
    const callerToken = { token: helpdesk.subject_token!, type: TOKEN_TYPE_JWT };
    return { s, tool, helpdesk, asTool, callerToken };
  }

  it("should check a tool's request against the tool's own declared work under callChain: none", async () => {
    const { s, tool, asTool, callerToken } = await setup('none');
    // The treasury helpdesk's call reaches the other tenant's endpoints: the broker only sees the tool.
    const res = await exchange(s, callerToken, tool.dpop_jwk, { scope: 'admin:other-tenant-endpoints' }, asTool);
    expect(res.status).toBe(200);
    expect(decodeClaimsUnverified(res.body!.access_token as string)).toMatchObject({
      sub: 'spiffe://blastlab.serve/vendor/rs-saas',
      client_id: 'rs-saas',
    });
    const cc = await postForm(
      s.tokenUrl,
      { grant_type: 'client_credentials' },
      { ...asTool, DPoP: dpopProof(tool.dpop_jwk, s.tokenUrl) },
    );
    expect(cc.body).toMatchObject({ scope: 'admin:treasury-workstations admin:other-tenant-endpoints' });
  });

  it("should check it against the calling agent's steps through the tool under callChain: propagated", async () => {
    const { s, tool, helpdesk, asTool, callerToken } = await setup('propagated');
    const denied = await exchange(s, callerToken, tool.dpop_jwk, { scope: 'admin:other-tenant-endpoints' }, asTool);
    expect(denied.body).toMatchObject({
      error: 'invalid_scope',
      error_description: 'denied: out-of-intent admin on other-tenant-endpoints',
    });
    const ok = await exchange(s, callerToken, tool.dpop_jwk, {}, asTool);
    expect(ok.body).toMatchObject({ scope: 'admin:treasury-workstations', token_type: 'DPoP' });
    expect(decodeClaimsUnverified(ok.body!.access_token as string)).toMatchObject({
      sub: 'spiffe://blastlab.serve/treasury/treasury-helpdesk',
      act: { sub: 'spiffe://blastlab.serve/vendor/rs-saas' },
      client_id: 'rs-saas',
    });
    const cc = await postForm(
      s.tokenUrl,
      { grant_type: 'client_credentials' },
      { ...asTool, DPoP: dpopProof(tool.dpop_jwk, s.tokenUrl) },
    );
    expect(cc.body).toMatchObject({ error: 'unauthorized_client' });
    // The caller's access token carries its task to the tool's token: ending the task revokes both.
    const own = await exchange(s, callerToken, helpdesk.dpop_jwk, { task: 'ticket-7' });
    const callerAccess = own.body!.access_token as string;
    const viaTool = await exchange(s, { token: callerAccess, type: TOKEN_TYPE_ACCESS }, tool.dpop_jwk, {}, asTool);
    expect(decodeClaimsUnverified(viaTool.body!.access_token as string)).toMatchObject({ txn: 'ticket-7', client_id: 'rs-saas' });
    const end = await postForm(`${s.running.url}/task/end`, { token: callerAccess, outcome: 'completion' });
    expect(end.body).toEqual({ task: 'ticket-7', outcome: 'completion', revoked: 2 });
    expect(await introspect(s, viaTool.body!.access_token as string)).toEqual({ active: false });
  });
});
