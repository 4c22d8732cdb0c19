// The imperative shell's I/O helpers: the only module family that touches files and the process.
import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync } from 'node:fs'
import { dirname, basename, join } from 'node:path'

/**
 * Bad outside input: the shell prints `memvirt: <message>` as one line on stderr and exits 2.
 * Thrown only inside src/cli/ and caught by main.ts; the functional core never throws.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
}

/** Prints one error line and exits with status 2 (bad input), without a stack trace. */
export const failInput = (message: string): never => {
  throw new InputError(message)
}

/**
 * Writes a whole file atomically: into a temporary sibling, then renamed over the target, so a
 * failure never leaves a half-written file behind.
 */
export const writeFileAtomic = (path: string, data: string | Uint8Array): void => {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    fsyncSync(fd)
    closeSync(fd)
    renameSync(tmp, path)
  } catch (e) {
    try { closeSync(fd) } catch { /* already closed */ }
    try { unlinkSync(tmp) } catch { /* never created */ }
    throw e
  }
}
