// eslint with typescript-eslint's type-checked recommended rules, plus the architecture rules that an
// import graph cannot see (dependency-cruiser checks the imports: .dependency-cruiser.cjs):
// - a specification file holds no module-level mutable state (memo tables live in engine/ files);
// - only the shell (src/cli/) touches `process`.
import tseslint from 'typescript-eslint'

const MODULE_STATE = [
  {
    selector: 'Program > VariableDeclaration[kind="let"]',
    message: 'spec-no-module-state: a specification file holds no module-level mutable binding (move the memo to an engine/ file)',
  },
  {
    selector: 'Program > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|WeakMap|Set|WeakSet)$/][arguments.length=0]',
    message: 'spec-no-module-state: a specification file holds no module-level memo table (move it to an engine/ file)',
  },
  {
    selector: 'Program > ExportNamedDeclaration > VariableDeclaration[kind="let"]',
    message: 'spec-no-module-state: a specification file exports no mutable binding',
  },
]

export default tseslint.config(
  { ignores: ['node_modules/', 'src/cli/memvirt.bundle.mjs', '**/*.mjs', '**/*.cjs', 'spec/types/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/engine/**', 'src/cli/**'],
    rules: {
      'no-restricted-syntax': ['error', ...MODULE_STATE],
      'no-restricted-globals': ['error', { name: 'process', message: 'io-only-in-cli: only src/cli/ touches process' }],
    },
  },
)
