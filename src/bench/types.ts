/** The shape of a benchmark case: a named operation, the raw baseline it is divided by, its batch size. */

/** Every benchmark row of issue 4, in output order; `N` stands for the estate's edge count. */
export const BENCH_IDS = [
  'raw ed25519 sign',
  'mint token',
  'raw ed25519 verify',
  'verify token',
  'policy decision',
  'raw csr bfs (N edges)',
  'reach (N edges)',
  'graphology bfs (N edges)',
  'trial (N edges, persistent)',
  'raw heap push/pop',
  'engine events',
  'raw keyed draws (N occurrences)',
  'cost pass (N occurrences)',
  'mint token, 2 cores async',
  'serve token exchange (http)',
] as const;
export type BenchId = (typeof BENCH_IDS)[number];

/** The baseline of each row (`null` for raw baselines). */
export const BENCH_BASELINES: Readonly<Record<BenchId, BenchId | null>> = {
  'raw ed25519 sign': null,
  'mint token': 'raw ed25519 sign',
  'raw ed25519 verify': null,
  'verify token': 'raw ed25519 verify',
  'policy decision': 'raw ed25519 sign',
  'raw csr bfs (N edges)': null,
  'reach (N edges)': 'raw csr bfs (N edges)',
  'graphology bfs (N edges)': 'raw csr bfs (N edges)',
  'trial (N edges, persistent)': 'raw csr bfs (N edges)',
  'raw heap push/pop': null,
  'engine events': 'raw heap push/pop',
  'raw keyed draws (N occurrences)': null,
  'cost pass (N occurrences)': 'raw keyed draws (N occurrences)',
  'mint token, 2 cores async': 'mint token',
  'serve token exchange (http)': 'mint token',
};

/** One timed operation. `fn` does `opsPerCall` operations; rows report per-operation figures. */
export interface BenchCase {
  /** The catalogue entry (`reach (N edges)`): the name before the size is known. */
  readonly id: BenchId;
  /** `<operation> (<size>)`, the `name` column. */
  readonly name: string;
  readonly opsPerCall: number;
  readonly fn: () => unknown;
  /** `fn` returns a promise to await inside the timed window. */
  readonly async?: boolean;
}

/** Cases measured together (interleaved in rounds, so machine load hits a case and its baseline alike). */
export interface BenchGroup {
  readonly cases: readonly BenchCase[];
  /** Lower bound of calls per case and round (tinybench `iterations`); small for slow cases. */
  readonly minCallsPerRound?: number;
  /** Releases what the group holds (worker threads). */
  readonly close?: () => Promise<void>;
}

/** Run-size knobs every group builder receives. */
export interface BenchSize {
  readonly quick: boolean;
}
