/**
 * The framework identifiers a scenario may carry under `frameworks:` (the list in FRAMEWORKS.md, written
 * exactly so). Risk reviewers read these tags in scenarios.csv and report.md, so an id that does not
 * exist — the seed text's "NHI-03" (Agentic) or MAESTRO "GOV-2" — must never get through.
 */

/** Allowed ids per framework key, as `as const` data. */
export const FRAMEWORK_IDS = {
  'owasp-nhi': [
    'NHI1:2025',
    'NHI2:2025',
    'NHI3:2025',
    'NHI4:2025',
    'NHI5:2025',
    'NHI6:2025',
    'NHI7:2025',
    'NHI8:2025',
    'NHI9:2025',
    'NHI10:2025',
  ],
  'owasp-agentic': [
    'ASI01',
    'ASI02',
    'ASI03',
    'ASI04',
    'ASI05',
    'ASI06',
    'ASI07',
    'ASI08',
    'ASI09',
    'ASI10',
    // The older OWASP Agentic AI Threats and Mitigations v1.0 threat ids (T1–T15), listed in FRAMEWORKS.md.
    'T1',
    'T2',
    'T3',
    'T4',
    'T5',
    'T6',
    'T7',
    'T8',
    'T9',
    'T10',
    'T11',
    'T12',
    'T13',
    'T14',
    'T15',
  ],
  'owasp-llm': ['LLM02:2025', 'LLM06:2025'],
  attack: [
    'T1078',
    'T1078.004',
    'T1550',
    'T1550.001',
    'T1550.004',
    'T1552',
    'T1552.001',
    'T1528',
    'T1110.003',
    'TA0008',
    'T1021',
    'T1195.002',
    'T1199',
    'T1539',
    // Added for the incident library (issue 17); each with its ATT&CK page in ATTACK_SOURCES below.
    'T1003.007',
    'T1098.001',
    'T1098.003',
    'T1133',
    'T1136.003',
    'T1190',
    'T1213',
    'T1213.003',
    'T1219',
    'T1555',
    'T1621',
  ],
  'nist-csf': [
    'PR.AA-01',
    'PR.AA-02',
    'PR.AA-03',
    'PR.AA-04',
    'PR.AA-05',
    'DE.CM-03',
    'DE.CM-06',
    'DE.CM-09',
    'RS.MI-01',
    'RS.MI-02',
  ],
  'nist-ai-rmf': [
    'GOVERN 1.6',
    'GOVERN 1.7',
    'GOVERN 2.1',
    'GOVERN 6.1',
    'MEASURE 2.4',
    'MEASURE 2.7',
    'MANAGE 2.4',
    'MANAGE 3.1',
  ],
  'nist-800-207': ['Tenet 3', 'Tenet 4', 'Tenet 6'],
  maestro: ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'Cross-Layer'],
} as const;

/** The ATT&CK page of every technique added beyond FRAMEWORKS.md's first list, and why it was added. */
export const ATTACK_SOURCES: Readonly<
  Record<string, { readonly url: string; readonly title: string; readonly usedFor: string }>
> = {
  'T1003.007': {
    url: 'https://attack.mitre.org/techniques/T1003/007/',
    title: 'OS Credential Dumping: Proc Filesystem',
    usedFor: 'tj-actions: the poisoned action read the runner process memory',
  },
  'T1098.001': {
    url: 'https://attack.mitre.org/techniques/T1098/001/',
    title: 'Account Manipulation: Additional Cloud Credentials',
    usedFor: 'Midnight Blizzard: credentials added to OAuth applications',
  },
  'T1098.003': {
    url: 'https://attack.mitre.org/techniques/T1098/003/',
    title: 'Account Manipulation: Additional Cloud Roles',
    usedFor: 'Midnight Blizzard: full_access_as_app granted to attacker apps',
  },
  T1133: {
    url: 'https://attack.mitre.org/techniques/T1133/',
    title: 'External Remote Services',
    usedFor: 'Uber: the contractor VPN login',
  },
  'T1136.003': {
    url: 'https://attack.mitre.org/techniques/T1136/003/',
    title: 'Create Account: Cloud Account',
    usedFor: 'Cloudflare (look-alike Atlassian user), Midnight Blizzard (user created to consent)',
  },
  T1190: {
    url: 'https://attack.mitre.org/techniques/T1190/',
    title: 'Exploit Public-Facing Application',
    usedFor: 'BeyondTrust: CVE-2024-12356 and CVE-2024-12686 in Remote Support',
  },
  T1213: {
    url: 'https://attack.mitre.org/techniques/T1213/',
    title: 'Data from Information Repositories',
    usedFor: 'Schneider Electric: Jira scraped through its REST API',
  },
  'T1213.003': {
    url: 'https://attack.mitre.org/techniques/T1213/003/',
    title: 'Data from Information Repositories: Code Repositories',
    usedFor: 'Internet Archive, Cloudflare, Sisense: secrets and code read from repositories',
  },
  T1219: {
    url: 'https://attack.mitre.org/techniques/T1219/',
    title: 'Remote Access Software',
    usedFor: 'Treasury: remote-support sessions on workstations',
  },
  T1555: {
    url: 'https://attack.mitre.org/techniques/T1555/',
    title: 'Credentials from Password Stores',
    usedFor: 'CircleCI (customer secrets store), Uber (PAM vault)',
  },
  T1621: {
    url: 'https://attack.mitre.org/techniques/T1621/',
    title: 'Multi-Factor Authentication Request Generation',
    usedFor: 'Uber: MFA push fatigue',
  },
};

/** A framework key accepted under `frameworks:`. */
export type FrameworkKey = keyof typeof FRAMEWORK_IDS;

/** Human names of the framework keys, for reports. */
export const FRAMEWORK_LABELS: { readonly [K in FrameworkKey]: string } = {
  'owasp-nhi': 'OWASP NHI Top 10',
  'owasp-agentic': 'OWASP Agentic',
  'owasp-llm': 'OWASP LLM Top 10',
  attack: 'MITRE ATT&CK',
  'nist-csf': 'NIST CSF 2.0',
  'nist-ai-rmf': 'NIST AI RMF',
  'nist-800-207': 'NIST SP 800-207',
  maestro: 'MAESTRO',
};

/** The human name of a framework key (the key itself when it is not one of ours). */
export function frameworkLabel(key: string): string {
  return Object.hasOwn(FRAMEWORK_LABELS, key) ? FRAMEWORK_LABELS[key as FrameworkKey] : key;
}

/** The framework keys, in FRAMEWORKS.md order. */
export const FRAMEWORK_ID_KEYS = Object.keys(FRAMEWORK_IDS) as readonly FrameworkKey[];

/** One framework tag that is not in FRAMEWORKS.md: where it is (`key`, `index` in that list) and what it says. */
export interface UnknownFrameworkId {
  readonly key: string;
  /** Index in the key's list, or `null` when the key itself is unknown. */
  readonly index: number | null;
  readonly id: string;
}

const lookup: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(FRAMEWORK_IDS).map(([key, ids]) => [key, new Set<string>(ids)]),
);

/** True when `id` is an allowed identifier under framework `key`. */
export function isKnownFrameworkId(key: string, id: string): boolean {
  return lookup.get(key)?.has(id) ?? false;
}

/** Every tag of a `frameworks` map that FRAMEWORKS.md does not list, with its position (file order). */
export function findUnknownFrameworkIds(frameworks: Readonly<Record<string, readonly string[]>>): UnknownFrameworkId[] {
  const found: UnknownFrameworkId[] = [];
  for (const [key, ids] of Object.entries(frameworks)) {
    if (!lookup.has(key)) {
      found.push({ key, index: null, id: key });
      continue;
    }
    ids.forEach((id, index) => {
      if (!isKnownFrameworkId(key, id)) found.push({ key, index, id });
    });
  }
  return found;
}

/**
 * The unknown framework tags of a `frameworks` map as `key: id` strings (an unknown key as `key`),
 * empty when every tag is one of FRAMEWORKS.md's.
 */
export function unknownFrameworkIds(frameworks: Readonly<Record<string, readonly string[]>>): string[] {
  return findUnknownFrameworkIds(frameworks).map((u) => (u.index === null ? u.key : `${u.key}: ${u.id}`));
}
