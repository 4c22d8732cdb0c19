// The imperative shell's error helpers: bad input becomes one line on stderr and exit status 2.
// (Output files are written by output.ts.)
import { readFileSync } from 'node:fs'
import { utf8Text } from '../codec/text.ts'

/**
 * Bad outside input: the shell prints `memvirt COMMAND: <message>` as one line on stderr and exits 2.
 * Thrown only inside src/cli/ and caught by main.ts; the functional core never throws.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
}

/** Prints one error line and exits with status 2 (bad input), without a stack trace. */
export const failInput = (message: string): never => {
  throw new InputError(message)
}

/** Node's error codes for files, in words; the code follows in parentheses. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EISDIR: 'is a directory', ENOTDIR: 'a part of the path is not a directory', ENOSPC: 'no space left on device',
  EROFS: 'read-only file system', EPIPE: 'the reader closed the pipe', ENXIO: 'no such device or address',
  ELOOP: 'too many symbolic links', ENAMETOOLONG: 'file name too long', EEXIST: 'file exists', EIO: 'input/output error',
  EFBIG: 'file too large', EDQUOT: 'disk quota exceeded', EMFILE: 'too many open files', EBUSY: 'device or resource busy',
}

/** Why a file operation failed, in words: `no such file or directory (ENOENT)`. */
export const fileErrorText = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  if (code === undefined) return e instanceof Error ? e.message : String(e)
  const words = FILE_ERRORS[code]
  return words === undefined ? code : `${words} (${code})`
}

/** The words for a file that could not be read, and why (the same for every command). */
const cannotReadText = (path: string, e: unknown): string => `cannot read ${path}: ${fileErrorText(e)}`

/** One line: the file could not be read, and why. */
export const cannotRead = (path: string, e: unknown): never => failInput(cannotReadText(path, e))

/**
 * A text file's contents (JSON scenarios, host files, event traces), or one line: it could not be read, or
 * it is not UTF-8 (naming the byte offset where it stops being so). `fail` words the line's prefix.
 */
export const readText = (path: string, fail: (message: string) => never = failInput): string => {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (e) {
    return fail(cannotReadText(path, e))
  }
  const text = utf8Text(bytes)
  return text._tag === 'Right' ? text.right : fail(`${path}: byte offset ${text.left.offset}: not UTF-8 text`)
}

/** One line: the file could not be written, and why. */
export const cannotWrite = (path: string, e: unknown): never => failInput(`cannot write ${path}: ${fileErrorText(e)}`)
