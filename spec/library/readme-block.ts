// The README's library examples are these spec files' code between the markers, with the relative import
// of the entry point ('../../src/mmu/index.ts') written as the package's ('memvirt/mmu'), which a user of the
// installed package imports (spec/cli/package.spec.ts imports every entry point from a packed install).
import { readFileSync } from 'node:fs'

const BEGIN = '// --- README example begins\n'
const END = '// --- README example ends\n'

/** The example block of a spec file, as the README must show it. */
export const readmeBlock = (specUrl: URL): string => {
  const text = readFileSync(specUrl, 'utf8')
  const block = text.slice(text.indexOf(BEGIN) + BEGIN.length, text.indexOf(END))
  return block
    .replace(/'\.\.\/\.\.\/src\/index\.ts'/g, "'memvirt'")
    .replace(/'\.\.\/\.\.\/src\/cpu\/index\.ts'/g, "'memvirt/hart'")
    .replace(/'\.\.\/\.\.\/src\/(\w+)\/index\.ts'/g, "'memvirt/$1'")
}

export const readme = (): string => readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
