// The hash of every TypeScript source under src/ (paths and contents, in sorted order): what a bundled
// CLI was built from. bin.mjs runs the bundle only when its recorded hash equals the sources' hash now,
// so an edited source is never shadowed by a stale bundle.
import { readdirSync, readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
export const BUNDLE = fileURLToPath(new URL('./memvirt.bundle.mjs', import.meta.url))
export const HASH_LINE = '// memvirt-source-hash: '
/** The bundle's chunks beside it: memvirt.chunk-HASH.mjs. */
export const CHUNK_PREFIX = 'memvirt.chunk-'

export const sourceHash = () => {
  const h = createHash('sha256')
  const walk = (dir, rel) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const path = `${dir}/${e.name}`
      if (e.isDirectory()) walk(path, `${rel}${e.name}/`)
      else if (e.name.endsWith('.ts')) { h.update(`${rel}${e.name}\0`); h.update(readFileSync(path)); h.update('\0') }
    }
  }
  walk(SRC, '')
  return h.digest('hex')
}
