// ESLint flat config: typescript-eslint's type-checked rules, exhaustive switches, the layer order of
// docs/DESIGN.md ("Layers"), and no ambient time or randomness in the simulation core.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer order (docs/DESIGN.md): a module may import its own folder and any folder of a lower rank,
 * never one of a higher rank. Folders of one rank may not import each other.
 */
const LAYERS = [
  ['lib'],
  ['domain'],
  ['io'],
  ['scenario'],
  ['import', 'estate'],
  ['model'],
  ['policy'],
  ['issuer'],
  ['workload'],
  ['reach'],
  ['attacks'],
  ['sim'],
  ['metrics'],
  ['report'],
  ['exec'],
  ['export'],
  ['serve'],
  ['load'],
  ['bench'],
  ['api'],
  ['cli'],
];
const RANK = new Map(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank])));
const SRC = path.resolve('src');

/** The top folder under src/ of an absolute path ('' for files directly in src/, null outside src/). */
function layerOf(file) {
  const rel = path.relative(SRC, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  return parts.length === 1 ? '' : parts[0];
}

/** Files directly in src/ (errors.ts at the bottom; index.ts and api.ts at the top). */
const ROOT_RANK = { errors: -1, index: 100, api: RANK.get('api') };

function rankOf(file) {
  const layer = layerOf(file);
  if (layer === null) return null;
  if (layer === '') return ROOT_RANK[path.basename(file).replace(/\.[jt]s$/, '')] ?? 100;
  return RANK.get(layer) ?? null;
}

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layer order of docs/DESIGN.md' },
    schema: [],
    messages: {
      upward: '{{from}} (layer {{fromRank}}) must not import {{to}} (layer {{toRank}}): layers point one way (docs/DESIGN.md)',
      unknown: 'src/{{folder}}/ is not in the layer order: add it to LAYERS in eslint.config.js and to docs/DESIGN.md',
    },
  },
  create(context) {
    const file = context.filename;
    const fromRank = rankOf(file);
    if (fromRank === null) {
      const folder = layerOf(file);
      if (folder !== null && folder !== '')
        context.report({ loc: { line: 1, column: 0 }, messageId: 'unknown', data: { folder } });
      return {};
    }
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const toRank = rankOf(target);
      if (toRank === null) return;
      const fromLayer = layerOf(file);
      const toLayer = layerOf(target);
      if (fromLayer === toLayer) return;
      if (toRank >= fromRank) {
        context.report({
          node,
          messageId: 'upward',
          data: { from: fromLayer || path.basename(file), fromRank, to: toLayer || path.basename(target), toRank },
        });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

/** Folders whose code decides simulated outcomes: no wall clock, no ambient randomness. */
const CORE = ['lib', 'domain', 'model', 'policy', 'workload', 'reach', 'attacks', 'sim', 'metrics'].map(
  (d) => `src/${d}/**/*.ts`,
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'results/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { blastlab: { rules: { layers: layersRule } } },
    rules: {
      'blastlab/layers': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Numbers and unions in template strings are how messages are written here.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
    },
  },
  {
    files: CORE,
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'randomness flows from a seeded generator (src/lib/rng.ts)' },
        { object: 'Date', property: 'now', message: 'no wall clock in the simulation core' },
        { object: 'performance', property: 'now', message: 'no wall clock in the simulation core' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'no wall clock in the simulation core: timestamps are parsed at the scenario boundary' },
        { name: 'performance', message: 'no wall clock in the simulation core' },
      ],
    },
  },
  {
    // Tests read parsed JSON and CSV and use vitest's asymmetric matchers (typed `any`): the no-unsafe
    // family would flag every such line without finding bugs. Source code keeps them.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
