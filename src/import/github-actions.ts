/**
 * `blastlab import github-actions <repo-dir>`: a repository's workflows → a plain scenario document.
 *
 * Mapping (docs/import.md "GitHub Actions"):
 * - each job (with steps, or calling a reusable workflow in another repository) → agent
 *   `gha:<workflow>/<job>`, environment `github-actions`, identity `workload` when it logs in to a
 *   cloud with OIDC (`id-token: write` and a login action), else `shared-secret`;
 * - each `secrets.NAME` the job references → credential `secret:NAME` held by the job (all secrets for
 *   `toJSON(secrets)`, `secrets[expr]` and `secrets: inherit`); its target comes from `--map`, else the
 *   catalog (github-actions-catalog.ts), else a resource `secret-target:NAME`;
 * - the job's GITHUB_TOKEN → credential `github-token:<job>` (`nativeTtl` = the job's timeout, 6h by
 *   default), granting its `permissions` (GitHub's defaults when absent) on the repository's resources;
 * - `id-token: write` → credential `oidc:<job>` that `assumes` the role named by
 *   aws-actions/configure-aws-credentials, google-github-actions/auth or azure/login (STS-like
 *   session, `nativeTtl` 1h, also held: the login action writes it into the runner);
 * - each action `uses: owner/repo@ref` → tool `action:owner/repo@ref` the job invokes; the tool holds
 *   every credential of the job (the runner's memory holds them all: tj-actions/changed-files);
 *   local composite actions are expanded; local reusable workflows are resolved;
 * - triggers: each `schedule` cron → a task every cron period; other events → `--runs-per-day`;
 *   the steps that use a credential are its declared intent (task steps).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { formatDuration } from '../lib/duration.js';
import type { ParsedDocument, PathSegment } from '../scenario/document.js';
import { fileIssue } from '../scenario/document.js';
import type { AttackInput, TaskInput } from '../scenario/schema.js';
import type { Action } from '../domain/scenario.js';
import { autoAttacks, estatePolicies } from './auto.js';
import { newestTimestamp, ScenarioBuilder, toId, toScenarioName, type ImportResult } from './builder.js';
import { CATALOG, DEFAULTS, JOB_KEYS, LOGIN_ACTIONS, SCOPE_RESOURCE, STEP_KEYS } from './github-actions-catalog.js';
import {
  cronsOf,
  permissionsOf,
  pinOf,
  readWorkflows,
  reusableCalls,
  scanSecrets,
  secretNames,
  triggerNames,
  UNTRUSTED_REF,
  type Pin,
} from './github-actions-workflow.js';
import { inputIssue, isRecord, readDocument, unknownKeys, type ImportMap, type SecretMapEntry } from './input.js';

/** Kept for importers that take the name from here (opengraph-source.ts); its home is builder.ts. */

/** Options of the GitHub Actions importer. */
export interface GithubActionsOptions {
  /** `owner/name` used in resource ids (default: the folder name). */
  readonly repo?: string;
  /** Runs per day of push / pull-request / other event-triggered workflows (default 4). */
  readonly runsPerDay?: number;
  /** Duration of one job run (default 10m). */
  readonly jobDuration?: string;
  /** GITHUB_TOKEN defaults when a workflow sets no `permissions` (default permissive). */
  readonly defaultPermissions?: 'permissive' | 'restricted';
  readonly map?: ImportMap;
  /** The instant time 0 stands for (default: the newest timestamp in the map, if any). */
  readonly asOf?: string;
  /** Write automatic attacks (default true). */
  readonly attacks?: boolean;
  readonly name?: string;
  readonly trials?: number;
}

export const SOURCE = 'github-actions';

interface SecretInfo {
  readonly id: string;
  readonly target: string;
  readonly actions: readonly Action[];
}

/** The importer. Throws ScenarioError (every problem in every file) on bad input. */
export function importGithubActions(repoDir: string, opts: GithubActionsOptions = {}): ImportResult {
  const root = resolve(repoDir);
  const workflowsDir = join(root, '.github', 'workflows');
  if (!existsSync(workflowsDir) || !statSync(workflowsDir).isDirectory()) {
    throw new ScenarioError([
      fileIssue(repoDir, 'no .github/workflows folder (expected a repository checkout)', 'not-a-repository'),
    ]);
  }
  const repo = toId(opts.repo ?? basename(root));
  const runsPerDay = opts.runsPerDay ?? 4;
  const defaults = DEFAULTS[opts.defaultPermissions ?? 'permissive'];
  const b = new ScenarioBuilder(SOURCE);
  const issues: ScenarioIssue[] = [];
  const display = (file: string): string => join(repoDir, relative(root, file));

  // 1. Parse every workflow file.
  const workflows = readWorkflows(workflowsDir, display, issues);
  b.mapped('workflow files', workflows.length);

  // 2. Reusable-workflow calls within the repository: which secrets each callee receives.
  const calls = reusableCalls(workflows, root, issues);

  // 3. Every secret name the repository's workflows mention (the "all secrets" of inherit / toJSON).
  const sortedNames = secretNames(workflows, Object.keys(opts.map?.secrets ?? {}));

  const secretInfo = (name: string): SecretInfo => {
    const id = `secret:${toId(name)}`;
    const mapped: SecretMapEntry | undefined = opts.map?.secrets?.[name];
    const known = CATALOG.find((c) => c.pattern.test(name));
    const target = toId(mapped?.target ?? known?.target ?? `secret-target:${name}`);
    const actions = mapped?.actions ?? known?.actions ?? ['read', 'write'];
    if (!b.has(id)) {
      b.add({
        id,
        kind: 'credential',
        type: mapped?.type ?? known?.type ?? 'actions-secret',
        ephemeralCapable: mapped?.ephemeralCapable ?? known?.ephemeralCapable ?? false,
        ...(mapped?.createdAt === undefined ? {} : { createdAt: mapped.createdAt }),
        ...(mapped?.lastRotatedAt === undefined ? {} : { lastRotatedAt: mapped.lastRotatedAt }),
        ...(mapped?.lastUsedAt === undefined ? {} : { lastUsedAt: mapped.lastUsedAt }),
        ...(mapped?.expiresAt === undefined ? {} : { expiresAt: mapped.expiresAt }),
        provenance: { source: SOURCE, id: `secrets.${name}` },
      });
      b.add({
        id: target,
        kind: 'resource',
        sensitivity: mapped?.sensitivity ?? known?.sensitivity ?? 'internal',
        provenance: { source: SOURCE, id: mapped?.target ?? known?.target ?? name },
      });
      b.edge('grants', id, target, actions);
      b.mapped(
        mapped?.target !== undefined
          ? 'secrets (target from --map)'
          : known !== undefined
            ? 'secrets (target from the catalog)'
            : 'secrets (target named after the secret)',
      );
    }
    return { id, target, actions };
  };

  const tasks: TaskInput[] = [];
  const entries: { id: string; why: string }[] = [];
  const visitedComposite = new Set<string>();

  /** Steps of a local composite action (recursively), for `uses` detection. */
  const compositeSteps = (
    ref: string,
    parsed: ParsedDocument,
    path: readonly PathSegment[],
    depth: number,
  ): { steps: unknown[]; parsed: ParsedDocument; base: PathSegment[] }[] => {
    const dir = resolve(root, ref);
    const file = ['action.yml', 'action.yaml'].map((n) => join(dir, n)).find((p) => existsSync(p));
    if (file === undefined) {
      issues.push(inputIssue(parsed, path, `local action ${ref} not found (no action.yml in ${ref})`, 'not-in-repository'));
      return [];
    }
    if (depth > 5 || visitedComposite.has(`${file}#${depth}`)) return [];
    visitedComposite.add(`${file}#${depth}`);
    const read = readDocument(display(file));
    if (!read.ok) {
      issues.push(...read.issues);
      return [];
    }
    const runs = isRecord(read.parsed.data) ? read.parsed.data['runs'] : undefined;
    if (!isRecord(runs) || runs['using'] !== 'composite' || !Array.isArray(runs['steps'])) {
      b.ignored('local actions that are not composite (JavaScript/Docker code from the repository)');
      return [];
    }
    b.mapped('local composite actions expanded');
    const out = [{ steps: runs['steps'] as unknown[], parsed: read.parsed, base: ['runs', 'steps'] as PathSegment[] }];
    (runs['steps'] as unknown[]).forEach((s, i) => {
      if (isRecord(s) && typeof s['uses'] === 'string' && s['uses'].startsWith('./'))
        out.push(...compositeSteps(s['uses'], read.parsed, ['runs', 'steps', i, 'uses'], depth + 1));
    });
    return out;
  };

  // 4. Jobs.
  for (const wf of workflows) {
    const { parsed, doc } = wf;
    const triggers = triggerNames(doc['on']);
    const crons = cronsOf(doc['on'], parsed, issues);
    const dangerous = triggers.some((t) => t === 'pull_request_target' || t === 'workflow_run');
    const callee = calls.get(wf.file);
    const wfPermissions = permissionsOf(doc['permissions'], parsed, ['permissions'], issues);
    for (const [jobId, job] of Object.entries(isRecord(doc['jobs']) ? doc['jobs'] : {})) {
      const jobPath: PathSegment[] = ['jobs', jobId];
      if (!isRecord(job)) {
        issues.push(inputIssue(parsed, jobPath, 'a job must be a map', 'wrong-type'));
        continue;
      }
      unknownKeys(parsed, jobPath, job, JOB_KEYS, issues);
      const agent = `gha:${toId(wf.base)}/${toId(jobId)}`;
      const uses = typeof job['uses'] === 'string' ? job['uses'] : undefined;
      if (uses?.startsWith('./') === true) {
        b.mapped('jobs calling a reusable workflow of the repository (resolved)');
        continue;
      }
      const steps = Array.isArray(job['steps']) ? job['steps'] : [];
      if (uses === undefined && !Array.isArray(job['steps'])) {
        issues.push(inputIssue(parsed, jobPath, 'a job needs "steps" or "uses"', 'missing-key'));
        continue;
      }

      // Credentials the job holds.
      const found = { names: new Set<string>(), all: false, token: false };
      scanSecrets(job, found);
      let names = [...found.names];
      if (callee !== undefined) {
        // A callee's `secrets.X` is what its callers pass as X.
        names = names.flatMap((n) => [...(callee.passed.get(n) ?? (callee.inherit ? [n] : []))]);
        if (callee.inherit) found.all = true;
      }
      if (uses !== undefined && job['secrets'] === 'inherit') found.all = true;
      if (found.all) names = sortedNames;
      const secrets = [...new Set(names)].sort().map(secretInfo);
      const permissions =
        permissionsOf(job['permissions'], parsed, [...jobPath, 'permissions'], issues) ??
        wfPermissions ??
        (triggers.includes('pull_request_target') ? DEFAULTS.permissive : defaults);
      const rawTimeout = job['timeout-minutes'];
      const timeout = typeof rawTimeout === 'number' && rawTimeout > 0 && rawTimeout <= 100_000 ? rawTimeout : 360;
      const token = `github-token:${agent.slice(4)}`;
      b.add({
        id: token,
        kind: 'credential',
        type: 'github-token',
        ephemeralCapable: true,
        nativeTtl: formatDuration(Math.round(timeout * 60_000)),
        provenance: { source: SOURCE, id: `${relative(root, wf.file)}#jobs.${jobId}.GITHUB_TOKEN` },
      });
      const tokenGrants: { target: string; action: Action }[] = [];
      for (const [scope, access] of Object.entries(permissions).sort()) {
        const spec = SCOPE_RESOURCE[scope];
        if (spec === undefined) {
          if (scope !== 'id-token') b.ignored(`GITHUB_TOKEN scopes without a modelled resource (${scope})`);
          continue;
        }
        const target = `${spec.resource}:${repo}`;
        b.add({
          id: target,
          kind: 'resource',
          sensitivity: spec.sensitivity,
          provenance: { source: SOURCE, id: `${repo} ${spec.resource}` },
        });
        b.edge('grants', token, target, access === 'write' ? ['read', 'write'] : ['read']);
        tokenGrants.push({ target, action: access });
      }
      const held = [token, ...secrets.map((s) => s.id)];
      const intent: { target: string; action: Action; credential: string }[] = tokenGrants.map((g) => ({
        ...g,
        credential: token,
      }));
      for (const s of secrets) intent.push({ target: s.target, action: s.actions[s.actions.length - 1]!, credential: s.id });

      // Steps: actions the job invokes (composite actions expanded), cloud logins, untrusted checkouts.
      const tools: string[] = [];
      let oidcLogin = false;
      const visitSteps = (list: unknown[], p: ParsedDocument, base: PathSegment[]): void => {
        list.forEach((step, i) => {
          const path = [...base, i];
          if (!isRecord(step)) {
            issues.push(inputIssue(p, path, 'a step must be a map', 'wrong-type'));
            return;
          }
          unknownKeys(p, path, step, STEP_KEYS, issues);
          const ref = step['uses'];
          if (typeof ref !== 'string') return;
          if (ref.startsWith('./')) {
            for (const c of compositeSteps(ref, p, [...path, 'uses'], 0)) visitSteps(c.steps, c.parsed, c.base);
            return;
          }
          const at = ref.lastIndexOf('@');
          if (at <= 0 && !ref.startsWith('docker://')) {
            issues.push(
              inputIssue(
                p,
                [...path, 'uses'],
                `action reference ${JSON.stringify(ref)} has no @ref (expected owner/repo@ref)`,
                'bad-format',
              ),
            );
            return;
          }
          const name = ref.startsWith('docker://') ? ref : ref.slice(0, at);
          const pin: Pin = ref.startsWith('docker://') ? (ref.includes('@sha256:') ? 'sha' : 'tag') : pinOf(ref.slice(at + 1));
          const tool = toId(`action:${ref}`);
          b.add({ id: tool, kind: 'tool', environment: 'github-actions', provenance: { source: SOURCE, id: ref } });
          tools.push(tool);
          b.mapped(`action steps pinned by ${pin}`);
          const login = LOGIN_ACTIONS[name.toLowerCase()];
          const withs = isRecord(step['with']) ? step['with'] : {};
          if (login !== undefined) {
            const roleKey = login.roleKeys.find((k) => typeof withs[k] === 'string');
            if (roleKey !== undefined && permissions['id-token'] === 'write') {
              const role = String(withs[roleKey]);
              const roleName = login.cloud === 'aws' ? (/:role\/(?:.*\/)?([^/]+)$/.exec(role)?.[1] ?? role) : role;
              const roleCred = toId(login.cloud === 'aws' ? `iam-role:${roleName}` : `${login.cloud}-identity:${roleName}`);
              const oidc = `oidc:${agent.slice(4)}`;
              const duration = Number(withs['role-duration-seconds']);
              b.add({
                id: oidc,
                kind: 'credential',
                type: 'github-oidc-token',
                ephemeralCapable: true,
                nativeTtl: formatDuration(Math.round(timeout * 60_000)),
                provenance: { source: SOURCE, id: `${relative(root, wf.file)}#jobs.${jobId}.id-token` },
              });
              b.add({
                id: roleCred,
                kind: 'credential',
                type: `${login.cloud}-session`,
                ephemeralCapable: true,
                nativeTtl: Number.isInteger(duration) && duration > 0 ? `${duration}s` : '1h',
                provenance: { source: SOURCE, id: role },
              });
              const target = toId(`cloud:${login.cloud}:${roleName}`);
              b.add({
                id: target,
                kind: 'resource',
                sensitivity: 'confidential',
                provenance: { source: SOURCE, id: `what ${role} can do` },
              });
              b.edge('grants', roleCred, target, ['read', 'write']);
              b.edge('assumes', oidc, roleCred);
              held.push(oidc, roleCred);
              intent.push({ target, action: 'write', credential: roleCred });
              oidcLogin = true;
              b.mapped(`OIDC logins to ${login.cloud}`);
            } else if (roleKey !== undefined) {
              b.ignored('cloud role logins without id-token: write (not OIDC)');
            }
          }
          if (
            name.toLowerCase() === 'actions/checkout' &&
            dangerous &&
            typeof withs['ref'] === 'string' &&
            UNTRUSTED_REF.test(withs['ref'])
          ) {
            entries.push({ id: agent, why: 'untrusted-checkout' });
          }
        });
      };
      visitSteps(steps, parsed, [...jobPath, 'steps']);
      if (uses !== undefined) {
        // A reusable workflow in another repository: opaque code that receives what the job passes.
        const tool = toId(`workflow:${uses}`);
        b.add({ id: tool, kind: 'tool', environment: 'github-actions', provenance: { source: SOURCE, id: uses } });
        tools.push(tool);
        b.mapped('calls to reusable workflows in other repositories (opaque tools)');
      }

      b.add({
        id: agent,
        kind: 'agent',
        environment: 'github-actions',
        identity: oidcLogin ? 'workload' : 'shared-secret',
        provenance: { source: SOURCE, id: `${relative(root, wf.file)}#jobs.${jobId}` },
      });
      b.mapped('jobs → agents');
      // The workflow file and the code the job checks out live in the repository: write on it runs
      // code as the job at its next run, under every policy (SPEC §1 `runs`; the tj-actions class).
      const code = `${SCOPE_RESOURCE['contents']!.resource}:${repo}`;
      b.add({
        id: code,
        kind: 'resource',
        sensitivity: SCOPE_RESOURCE['contents']!.sensitivity,
        provenance: { source: SOURCE, id: `${repo} contents` },
      });
      b.edge('runs', code, agent);
      b.mapped('jobs run from the repository (runs edges)');
      for (const c of held) b.edge('holds', agent, c);
      for (const tool of tools) {
        b.edge('invokes', agent, tool);
        for (const c of held) b.edge('holds', tool, c);
      }

      // Workload: one task per cron, one for event triggers; the credential-using steps are the intent.
      const stepsOut = dedupeSteps(intent);
      if (stepsOut.length === 0) continue;
      const jobDuration = opts.jobDuration ?? '10m';
      const every = (minutes: number): string => formatDuration(Math.max(1, Math.round(minutes)) * 60_000);
      for (const minutes of crons)
        tasks.push({ agent, every: every(minutes), duration: jobDuration, steps: stepsOut.map((st) => ({ ...st })) });
      if (triggers.some((t) => t !== 'schedule') || (crons.length === 0 && callee !== undefined)) {
        tasks.push({
          agent,
          every: every((24 * 60) / runsPerDay),
          duration: jobDuration,
          steps: stepsOut.map((st) => ({ ...st })),
        });
      }
    }
  }
  if (issues.length > 0) throw new ScenarioError(issues);

  const doc0 = b.build({ name: 'x' }, { workload: tasks, attacks: [], policies: {} });
  const attacks: AttackInput[] = opts.attacks === false ? [] : autoAttacks(doc0, { entries: dedupeEntries(entries) });
  if (attacks.length === 0 && doc0.nodes.length > 0) {
    const first = doc0.nodes.find((n) => n.kind === 'agent');
    if (first !== undefined) attacks.push({ pattern: 'lateral-movement', name: 'takeover-first-job', entry: first.id, at: '1d' });
  }
  const asOf = opts.asOf ?? newestTimestamp(doc0.nodes);
  const scenario = {
    name: opts.name ?? toScenarioName(`gha-${repo}`),
    description: `Imported from the GitHub Actions workflows of ${repo} (${workflows.length} workflow files) by blastlab import github-actions.`,
    ...(asOf === undefined ? {} : { asOf }),
    trials: opts.trials ?? 100,
    horizon: '30d',
    nodes: doc0.nodes,
    edges: doc0.edges ?? [],
    workload: tasks,
    attacks,
    policies: estatePolicies(doc0),
  };
  b.summary.notes.push('intent: the workflow steps that use each credential (GITHUB_TOKEN: its permissions)');
  b.summary.notes.push(
    `event-triggered workflows run ${runsPerDay} times a day (--runs-per-day); GITHUB_TOKEN defaults: ${opts.defaultPermissions ?? 'permissive'}`,
  );
  return { scenario, summary: b.summary };
}

function dedupeSteps(
  intent: readonly { target: string; action: Action; credential: string }[],
): { target: string; action: Action; credential: string }[] {
  const seen = new Set<string>();
  return intent.filter((s) => {
    const key = `${s.target}\u0000${s.action}\u0000${s.credential}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupeEntries(entries: readonly { id: string; why: string }[]): { id: string; why: string }[] {
  return [...new Map(entries.map((e) => [e.id, e])).values()];
}
