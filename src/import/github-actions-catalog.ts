/**
 * What the GitHub Actions importer knows about GitHub (docs/import.md "GitHub Actions"): the keys a
 * workflow, a job and a step may have, the GITHUB_TOKEN scopes and their defaults, the catalog of
 * well-known secret names and the cloud login actions. Data only; the importer is github-actions.ts.
 */
import type { Action, Sensitivity } from '../domain/scenario.js';

export const WORKFLOW_KEYS = new Set(['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs']);
export const JOB_KEYS = new Set([
  'name',
  'permissions',
  'needs',
  'if',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
  'uses',
  'with',
  'secrets',
]);
export const STEP_KEYS = new Set([
  'id',
  'if',
  'name',
  'uses',
  'run',
  'shell',
  'with',
  'env',
  'continue-on-error',
  'timeout-minutes',
  'working-directory',
]);

/** GITHUB_TOKEN scopes → the repository resource they act on (scopes not listed are ignored). */
export const SCOPE_RESOURCE: Readonly<Record<string, { readonly resource: string; readonly sensitivity: Sensitivity }>> = {
  contents: { resource: 'repo', sensitivity: 'confidential' },
  packages: { resource: 'packages', sensitivity: 'confidential' },
  actions: { resource: 'actions', sensitivity: 'internal' },
  deployments: { resource: 'deployments', sensitivity: 'internal' },
  pages: { resource: 'deployments', sensitivity: 'internal' },
  issues: { resource: 'issues', sensitivity: 'internal' },
  'pull-requests': { resource: 'issues', sensitivity: 'internal' },
  discussions: { resource: 'issues', sensitivity: 'internal' },
  checks: { resource: 'checks', sensitivity: 'internal' },
  statuses: { resource: 'checks', sensitivity: 'internal' },
  'security-events': { resource: 'security', sensitivity: 'confidential' },
  attestations: { resource: 'attestations', sensitivity: 'internal' },
};
export const ALL_SCOPES = [...Object.keys(SCOPE_RESOURCE), 'id-token', 'repository-projects', 'models'];
export type Access = 'read' | 'write';
export type Permissions = Readonly<Record<string, Access>>;
/** GitHub's defaults (docs "GITHUB_TOKEN": permissive = read/write on every scope but id-token; restricted = contents and packages read). */
export const DEFAULTS: Readonly<Record<'permissive' | 'restricted', Permissions>> = {
  permissive: Object.fromEntries(ALL_SCOPES.filter((s) => s !== 'id-token').map((s) => [s, 'write' as const])),
  restricted: { contents: 'read', packages: 'read' },
};

/** Well-known secret names → what they unlock. */
export interface CatalogEntry {
  readonly pattern: RegExp;
  readonly type: string;
  readonly target: string;
  readonly sensitivity: Sensitivity;
  readonly actions: readonly Action[];
  /** A per-task replacement exists (OIDC trusted publishing, workload identity federation). */
  readonly ephemeralCapable: boolean;
}
export const CATALOG: readonly CatalogEntry[] = [
  {
    pattern: /^NPM_(TOKEN|AUTH_TOKEN|PUBLISH_TOKEN)$/,
    type: 'npm-token',
    target: 'registry:npm',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(PYPI_API_TOKEN|PYPI_TOKEN|PYPI_PASSWORD|TWINE_PASSWORD)$/,
    type: 'pypi-token',
    target: 'registry:pypi',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(DOCKERHUB_TOKEN|DOCKERHUB_PASSWORD|DOCKER_PASSWORD|DOCKER_TOKEN)$/,
    type: 'dockerhub-token',
    target: 'registry:dockerhub',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: false,
  },
  {
    pattern: /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)$/,
    type: 'aws-access-key',
    target: 'cloud:aws',
    sensitivity: 'regulated',
    actions: ['read', 'write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(GCP_SA_KEY|GCP_CREDENTIALS|GOOGLE_CREDENTIALS|GCLOUD_SERVICE_KEY)$/,
    type: 'gcp-sa-key',
    target: 'cloud:gcp',
    sensitivity: 'regulated',
    actions: ['read', 'write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(AZURE_CREDENTIALS|AZURE_CLIENT_SECRET)$/,
    type: 'azure-client-secret',
    target: 'cloud:azure',
    sensitivity: 'regulated',
    actions: ['read', 'write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(GH_TOKEN|GH_PAT|PAT|PERSONAL_ACCESS_TOKEN|RELEASE_TOKEN|BOT_TOKEN)$/,
    type: 'github-pat',
    target: 'github:org',
    sensitivity: 'confidential',
    actions: ['read', 'write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^CODECOV_TOKEN$/,
    type: 'codecov-token',
    target: 'saas:codecov',
    sensitivity: 'internal',
    actions: ['write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^SONAR_TOKEN$/,
    type: 'sonar-token',
    target: 'saas:sonarcloud',
    sensitivity: 'internal',
    actions: ['write'],
    ephemeralCapable: false,
  },
  {
    pattern: /^SLACK_(WEBHOOK|WEBHOOK_URL|BOT_TOKEN|TOKEN)$/,
    type: 'slack-token',
    target: 'saas:slack',
    sensitivity: 'internal',
    actions: ['write'],
    ephemeralCapable: false,
  },
  {
    pattern: /^(CARGO_REGISTRY_TOKEN|CRATES_IO_TOKEN)$/,
    type: 'crates-token',
    target: 'registry:crates',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(RUBYGEMS_API_KEY|GEM_HOST_API_KEY)$/,
    type: 'rubygems-key',
    target: 'registry:rubygems',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^NUGET_API_KEY$/,
    type: 'nuget-key',
    target: 'registry:nuget',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: true,
  },
  {
    pattern: /^(SSH_PRIVATE_KEY|DEPLOY_KEY|SSH_KEY)$/,
    type: 'ssh-key',
    target: 'deploy:ssh',
    sensitivity: 'confidential',
    actions: ['read', 'write'],
    ephemeralCapable: false,
  },
  {
    pattern: /^(VERCEL_TOKEN|NETLIFY_AUTH_TOKEN|HEROKU_API_KEY|CLOUDFLARE_API_TOKEN)$/,
    type: 'deploy-token',
    target: 'deploy:hosting',
    sensitivity: 'confidential',
    actions: ['write'],
    ephemeralCapable: false,
  },
  {
    pattern: /^SNYK_TOKEN$/,
    type: 'snyk-token',
    target: 'saas:snyk',
    sensitivity: 'internal',
    actions: ['read'],
    ephemeralCapable: false,
  },
];

/** Cloud login actions that exchange the job's OIDC token for a cloud session. */
export const LOGIN_ACTIONS: Readonly<
  Record<string, { readonly cloud: string; readonly roleKeys: readonly string[]; readonly staticKeys: readonly string[] }>
> = {
  'aws-actions/configure-aws-credentials': { cloud: 'aws', roleKeys: ['role-to-assume'], staticKeys: ['aws-access-key-id'] },
  'google-github-actions/auth': {
    cloud: 'gcp',
    roleKeys: ['service_account', 'workload_identity_provider'],
    staticKeys: ['credentials_json'],
  },
  'azure/login': { cloud: 'azure', roleKeys: ['client-id'], staticKeys: ['creds'] },
};
