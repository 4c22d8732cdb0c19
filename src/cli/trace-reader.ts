// Reading a trace file's bytes for `memvirt cache` and `memvirt blockcache`: plain, or zstd-compressed
// as libCacheSim reads `.zst` traces (reader.c: a name ending `.zst` or `.zst.22`), decompressed as it
// streams through fzstd (pure JavaScript, so it installs on any machine: no native build, no download),
// one compressed chunk at a time, so memory stays bounded by the chunk and the frame's window whatever
// the trace's length. A compressed trace is recognised by its magic bytes (28 b5 2f fd), whatever its
// name, and reads exactly as its decompressed bytes do.
import { closeSync, openSync, readSync } from 'node:fs'
import { Decompress } from 'fzstd'

const CHUNK = 1 << 20
export const ZSTD_MAGIC: readonly number[] = [0x28, 0xb5, 0x2f, 0xfd]

/** A failure to decompress, worded for one line (the byte offset is the compressed file's). */
export class TraceReadError extends Error {}

/** A trace's bytes in order, decompressed when the file is zstd. */
export type TraceReader = {
  /** Reads up to `len` bytes into `buf` at `off`; 0 at the end of the trace. */
  read(buf: Uint8Array, off: number, len: number): number
  /** Bytes of the file consumed so far (compressed bytes for a zstd file): for a progress bar. */
  position(): number
  close(): void
}

/** Whether `head` (the file's first bytes) starts a zstd frame. */
export const isZstd = (head: Uint8Array): boolean => ZSTD_MAGIC.every((b, i) => head[i] === b)

/** Opens a trace (throws as `openSync` does when it cannot be opened). */
export const openTrace = (path: string): TraceReader => {
  const fd = openSync(path, 'r')
  let pos = 0
  const head = new Uint8Array(4)
  const got = readSync(fd, head, 0, 4, 0)
  if (got < 4 || !isZstd(head)) {
    return {
      read: (buf, off, len) => {
        const n = readSync(fd, buf, off, len, pos)
        pos += n
        return n
      },
      position: () => pos,
      close: () => closeSync(fd),
    }
  }
  // decompressed pieces not yet read, and how far into the first one the reader is
  const pieces: Uint8Array[] = []
  let first = 0
  let ended = false
  const zstd = new Decompress((data) => {
    // copied: the decoder may reuse its window buffer for later blocks
    if (data.length > 0) pieces.push(data.slice())
  })
  const compressed = new Uint8Array(CHUNK)
  const feed = (): void => {
    const n = readSync(fd, compressed, 0, CHUNK, pos)
    try {
      if (n === 0) {
        ended = true
        zstd.push(new Uint8Array(0), true)
      } else zstd.push(compressed.slice(0, n))
    } catch (e) {
      throw new TraceReadError(`zstd: compressed byte offset ${pos}: ${e instanceof Error ? e.message : String(e)}`)
    }
    pos += n
  }
  return {
    read: (buf, off, len) => {
      while (pieces.length === 0 && !ended) feed()
      let n = 0
      while (n < len && pieces.length > 0) {
        const p = pieces[0] as Uint8Array
        const take = Math.min(len - n, p.length - first)
        buf.set(p.subarray(first, first + take), off + n)
        n += take
        first += take
        if (first === p.length) {
          pieces.shift()
          first = 0
        }
      }
      return n
    },
    position: () => pos,
    close: () => closeSync(fd),
  }
}
