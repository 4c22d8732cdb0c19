// Output files named on the command line (--log-commits, --trace, -o, --plot, --emit-workload, --emit-tasks):
// checked before the work starts, and written so that a device, FIFO or symbolic link is never replaced and
// no temporary file outlives the process, whether it ends by an error, Ctrl-C (SIGINT) or SIGTERM.
import { spawn } from 'node:child_process'
import { accessSync, closeSync, constants, fchmodSync, fstatSync, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { cannotWrite, failInput } from './io.ts'

/**
 * How an output reaches its file:
 * - `replace`: a regular file or a new file. Written into a temporary sibling `.NAME.PID.tmp` that is
 *   renamed over the target when the output is complete (never a half-written file under the name);
 * - `in-place`: a character or block device, a FIFO, or a symbolic link. Opened and written where it
 *   is (a symlink is written through, the link itself stays), because renaming over it would replace the
 *   device node, the pipe or the link with a regular file;
 * - `stdout`/`stderr`: the path names the file this process's standard output or error already is
 *   (`/dev/stdout`, `/dev/fd/2`, the terminal): written to that descriptor, never reopened or truncated.
 */
export type OutputKind = 'replace' | 'in-place' | 'stdout' | 'stderr'

/** An output file being written. Bytes go out as they are written, except through the text buffer. */
export interface Output {
  readonly flag: string
  readonly path: string
  readonly kind: OutputKind
  /** Appends text (buffered up to 1 MiB). */
  text(s: string): void
  /** Appends `length` bytes of `data` (after any buffered text). */
  bytes(data: Uint8Array, length?: number): void
  /** Completes the output: the temporary file is renamed over the target, a device or link is closed. */
  commit(): void
  /** Gives the output up: a temporary file is removed, a target written in place is closed. */
  abandon(): void
}

/** Outputs opened and neither committed nor abandoned: given up if the process ends on an error. */
const pending = new Set<Output>()
let exitHookInstalled = false

/** Abandons every output still open (an error path); the temporary files are removed. */
export const abandonOutputs = (): void => {
  for (const o of [...pending]) o.abandon()
}

const TEXT_BUFFER = 1 << 20

const writeAll = (fd: number, data: Uint8Array, length: number): void => {
  for (let done = 0; done < length;) {
    try {
      done += writeSync(fd, data, done, length - done)
    } catch (e) {
      // a standard stream another process left non-blocking: wait for room
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
    }
  }
}

/**
 * A process that outlives this one only to remove `tmp` if it is still there when this process ends:
 * a signal's default action ends a process at once, even inside a long synchronous run, so no handler in
 * this process could do it. It waits for end-of-file on a pipe whose other end this process holds (the
 * kernel closes it however the process ends, SIGKILL included), in its own process group so that Ctrl-C
 * at the terminal does not reach it. After a commit the name is gone and `rm -f` does nothing.
 */
const removeWhenProcessEnds = (tmp: string): void => {
  if (process.platform === 'win32') return
  try {
    const child = spawn('/bin/sh', ['-c', 'trap "" INT TERM HUP; while read -r _; do :; done; rm -f -- "$1"', 'memvirt-cleanup', tmp],
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
    child.on('error', () => { /* no /bin/sh: the in-process clean-up still covers the error paths */ })
    child.unref()
    ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  } catch { /* as above */ }
}

const sameFile = (a: Stats, fd: number): boolean => {
  try {
    const b = fstatSync(fd)
    return a.dev === b.dev && a.ino === b.ino
  } catch {
    return false
  }
}

const newOutput = (flag: string, path: string, kind: OutputKind, fd: number, tmp: string | undefined, durable = false): Output => {
  let buffer = ''
  let open = true
  const fail = (e: unknown): never => {
    o.abandon()
    return cannotWrite(path, e)
  }
  const flush = (): void => {
    if (buffer === '') return
    const b = Buffer.from(buffer, 'utf8')
    buffer = ''
    try { writeAll(fd, b, b.length) } catch (e) { fail(e) }
  }
  const o: Output = {
    flag, path, kind,
    text: (s) => {
      buffer += s
      if (buffer.length >= TEXT_BUFFER) flush()
    },
    bytes: (data, length = data.length) => {
      flush()
      try { writeAll(fd, data, length) } catch (e) { fail(e) }
    },
    commit: () => {
      flush()
      pending.delete(o)
      open = false
      if (kind === 'stdout' || kind === 'stderr') return
      try {
        if (tmp !== undefined && durable) fsyncSync(fd)
        closeSync(fd)
        if (tmp !== undefined) renameSync(tmp, path)
      } catch (e) {
        if (tmp !== undefined) try { unlinkSync(tmp) } catch { /* already gone */ }
        cannotWrite(path, e)
      }
    },
    abandon: () => {
      pending.delete(o)
      if (!open) return
      open = false
      if (kind === 'stdout' || kind === 'stderr') return
      try { closeSync(fd) } catch { /* already closed */ }
      if (tmp !== undefined) try { unlinkSync(tmp) } catch { /* already gone */ }
    },
  }
  pending.add(o)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', abandonOutputs)
  }
  return o
}

/** The target as `lstat` sees it, or undefined when there is none yet. */
const existing = (path: string): Stats | undefined => {
  try {
    return lstatSync(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return cannotWrite(path, e)
  }
}

/** `.NAME.PID.tmp` in `dir`, or `.NAME.PID.N.tmp` if a process that had this PID before left one. */
const temporaryName = (dir: string, name: string): string => {
  for (let n = 0; ; n++) {
    const tmp = join(dir, n === 0 ? `.${name}.${process.pid}.tmp` : `.${name}.${process.pid}.${n}.tmp`)
    try {
      lstatSync(tmp)
    } catch {
      return tmp
    }
  }
}

/** How an output is kept. */
export interface OutputOptions {
  /**
   * A regular file's bytes reach the disk (fsync) before it is renamed under its name, so that it survives
   * a crash of the system too (a snapshot to resume from). Otherwise, like Spike's logs, the kernel
   * writes them back when it will; a reader still never sees a half-written file. Forcing a 365 MB commit
   * log to the disk costs a tenth of a second and more of waiting.
   */
  readonly durable?: boolean
}

/**
 * Opens the output `path` given with `flag`, before the work that fills it starts: a missing directory,
 * a directory given as the file, a socket, an unwritable file or directory, an empty name, or the same
 * file as another output of the same command is one line (exit 2) and leaves nothing behind.
 */
export const openOutput = (flag: string, path: string, options: OutputOptions = {}): Output => {
  if (path === '') return failInput(`${flag}: expected a file name, got an empty one`)
  const lst = existing(path)
  // the file it will write, to tell whether two outputs name the same one
  const st = lst === undefined ? undefined : lst.isSymbolicLink() ? (() => { try { return statSync(path) } catch { return undefined } })() : lst
  for (const other of pending) {
    let same = resolve(other.path) === resolve(path)
    if (!same && st !== undefined) {
      try {
        const s2 = statSync(other.path)
        same = s2.dev === st.dev && s2.ino === st.ino
      } catch { /* a file not there yet is no other file */ }
    }
    if (same) return failInput(`${other.flag} and ${flag} name the same file ${path}`)
  }
  if (st?.isDirectory() === true) return cannotWrite(path, Object.assign(new Error(), { code: 'EISDIR' }))
  if (st !== undefined && sameFile(st, 1)) return newOutput(flag, path, 'stdout', 1, undefined)
  if (st !== undefined && sameFile(st, 2)) return newOutput(flag, path, 'stderr', 2, undefined)
  if (st?.isSocket() === true) return failInput(`cannot write ${path}: is a socket`)
  if (lst !== undefined && !lst.isFile()) {
    // a device, a FIFO (this waits for its reader, as a shell's `>` does) or a symlink: written in place
    let fd: number
    try {
      fd = openSync(path, 'w')
    } catch (e) {
      return cannotWrite(path, e)
    }
    return newOutput(flag, path, 'in-place', fd, undefined)
  }
  // a regular file or a new one: a temporary sibling renamed over it at the end
  const dir = dirname(path)
  try {
    if (!statSync(dir).isDirectory()) return cannotWrite(path, Object.assign(new Error(), { code: 'ENOTDIR' }))
    if (lst !== undefined) accessSync(path, constants.W_OK)
  } catch (e) {
    return cannotWrite(path, e)
  }
  const tmp = temporaryName(dir, basename(path))
  // the remover first: a signal between creating the file and starting the remover would leave the file
  removeWhenProcessEnds(tmp)
  let fd: number
  try {
    fd = openSync(tmp, 'wx')
  } catch (e) {
    return cannotWrite(path, e)
  }
  if (lst !== undefined) try { fchmodSync(fd, lst.mode & 0o7777) } catch { /* keeps the default mode */ }
  return newOutput(flag, path, 'replace', fd, tmp, options.durable === true)
}

/** Writes an output opened earlier in one piece and completes it. */
export const writeOutput = (o: Output, data: string | Uint8Array): void => {
  if (typeof data === 'string') o.text(data)
  else o.bytes(data)
  o.commit()
}
