// The hash of every TypeScript source under src/ (paths and contents, in sorted order): what a bundled
// CLI was built from. bin.mjs runs the bundle only when its recorded hash equals the sources' hash now,
// so an edited source is never shadowed by a stale bundle.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
export const BUNDLE = fileURLToPath(new URL('./memvirt.bundle.mjs', import.meta.url))
export const HASH_LINE = '// memvirt-source-hash: '
/** The bundle's chunks beside it: memvirt.chunk-HASH.mjs. */
export const CHUNK_PREFIX = 'memvirt.chunk-'

/** The second line of the bundle: the sources' stamp (sourceStamp) when it was built. */
export const STAMP_LINE = '// memvirt-source-stamp: '

/** Every TypeScript source under src/, in sorted order, as [path relative to src/, full path]. */
const sources = () => {
  const out = []
  const walk = (dir, rel) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const path = `${dir}/${e.name}`
      if (e.isDirectory()) walk(path, `${rel}${e.name}/`)
      else if (e.name.endsWith('.ts')) out.push([`${rel}${e.name}`, path])
    }
  }
  walk(SRC, '')
  return out
}

export const sourceHash = () => {
  // node:crypto is loaded here, not at the top: bin.mjs needs it only when the stamp differs (loading it
  // costs ≈ 5 ms of every start-up)
  const h = createRequire(import.meta.url)('node:crypto').createHash('sha256')
  for (const [rel, path] of sources()) { h.update(`${rel}\0`); h.update(readFileSync(path)); h.update('\0') }
  return h.digest('hex')
}

/**
 * A quick stand-in for sourceHash that reads no file: every source's path, size, inode and modification
 * time in nanoseconds, as text (`path size inode mtime;` each), kept whole in the bundle's second line and
 * compared as a string: no hash to compute and no node:crypto to load. Editing, replacing or adding a source
 * changes it (unless the edit keeps the size and puts the old nanosecond mtime back on purpose); a checkout or
 * a copy that changes no content changes it too, and bin.mjs then compares the content hash. It costs a fraction
 * of the hash (≈ 2 ms CPU at start-up: the stats).
 */
export const sourceStamp = () => {
  let text = ''
  for (const [rel, path] of sources()) {
    const st = statSync(path, { bigint: true })
    text += `${rel} ${st.size} ${st.ino} ${st.mtimeNs};`
  }
  return text
}
