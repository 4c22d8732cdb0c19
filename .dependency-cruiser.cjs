// The layer rules of src/ (README, "Layers"): `npm test` runs them and fails naming the rule.
//
//   bits, codec  ←  memory, elf  ←  mmu, arch  ←  cpu  ←  machine  ←  iommu, hypervisor, gdb, cosim  ←  trace  ←  cli
//   cache, alloc: side subsystems on bits and codec only
//
// A folder imports only from its own layer or the layers to its left. Engine files (any file under a
// folder named `engine/`) wrap the specification: no specification file imports one. The library's
// entry points (`index.ts`) and the shell (`cli/`) choose the engines.
const LAYERS = [
  ['bits', 'codec'],
  ['memory', 'elf'],
  ['mmu', 'arch'],
  ['cpu'],
  ['machine'],
  ['iommu', 'hypervisor', 'gdb', 'cosim'],
  ['trace'],
  ['cli'],
]
const SIDE = ['cache', 'alloc']
const LOWEST = LAYERS[0]

const folder = (names) => `^src/(${names.join('|')})/`
const above = (i) => LAYERS.slice(i + 1).flat()

const layerRules = LAYERS.slice(0, -1).map((names, i) => ({
  name: `layer-${names.join('-')}`,
  comment: `${names.join(', ')} may import only ${LAYERS.slice(0, i + 1).flat().join(', ')}`,
  severity: 'error',
  from: { path: folder(names) },
  to: { path: folder([...above(i), ...SIDE]) },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles anywhere in src/',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'layer-side-subsystems',
      comment: `${SIDE.join(', ')} stand on ${LOWEST.join(', ')} only`,
      severity: 'error',
      from: { path: folder(SIDE) },
      to: { path: '^src/', pathNot: [folder([...LOWEST, ...SIDE])] },
    },
    {
      name: 'spec-imports-no-engine',
      comment: 'the fast path wraps the spec: only engine files, index.ts and cli/ import engine files',
      severity: 'error',
      from: { path: '^src/', pathNot: ['/engine/', '^src/cli/', '(^|/)index\\.ts$'] },
      to: { path: '^src/.*/engine/' },
    },
    {
      name: 'io-only-in-cli',
      comment: 'node:fs, sockets, child processes and worker threads belong to the shell (src/cli/)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|child_process|worker_threads|readline|http|https|dgram|tty|os)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    exclude: { path: '\\.bundle\\.mjs$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js'] },
  },
}
