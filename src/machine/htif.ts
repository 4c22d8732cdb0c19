// Spike's host-target interface (fesvr/htif.cc, device.cc, syscall.cc): the program writes a command to
// `tohost`: bits 63:56 the device, 55:48 the command, 47:0 the payload. Device 0 (syscall proxy),
// command 0: payload with bit 0 set is an exit (code = payload >> 1); otherwise it points to a request
// block of 8 doublewords (syscall number, a0–a6) whose first doubleword receives the result, and the
// host answers by writing (tohost >> 48 << 48) | 1 to `fromhost`. Device 1 (console), command 1: print
// the low byte of the payload. The host polls at the end of each Spike chunk: it reads tohost, clears
// it, serves the command, and writes a queued answer to fromhost when fromhost is zero.
// HTIF is a bus master without a register window: tohost and fromhost are RAM words, and the host
// reads and writes them (and the request blocks and buffers they point to) through a DMA port (dma.ts).
// A read the port refuses reads as 0 (nothing to serve); a refused write is dropped.
import { isLeft } from '../bits/either.ts'
import { type AccessSize } from '../memory/memory.ts'
import { type BusMaster, type DmaPort } from './dma.ts'

/** Output the program produced through HTIF (write to fd 1/2, or the console device). */
export interface HostWrite {
  readonly fd: number
  readonly bytes: Uint8Array
}

export interface Htif {
  readonly tohost: bigint | undefined
  readonly fromhost: bigint | undefined
  /** Set when the program asked to exit (tohost exit command or the exit system call). */
  readonly exitCode: number | undefined
  /** Answers waiting for fromhost to become zero. */
  readonly pending: readonly bigint[]
  /** Everything written to stdout/stderr so far, in order. */
  readonly output: readonly HostWrite[]
}

export const htif = (tohost: bigint | undefined, fromhost: bigint | undefined, exitCode: number | undefined,
  pending: readonly bigint[], output: readonly HostWrite[]): Htif => ({ tohost, fromhost, exitCode, pending, output })

const PAYLOAD = (1n << 48n) - 1n
const SYS_WRITE = 64n, SYS_EXIT = 93n
const EBADF = 9n, ENOSYS = 38n
const neg = (e: bigint): bigint => BigInt.asUintN(64, -e)

/** Is v the exit command (device 0, command 0, payload bit 0 set)? Then the exit code, else undefined. */
export const exitCommand = (v: bigint): number | undefined =>
  v >> 48n === 0n && (v & 1n) === 1n ? Number((v & PAYLOAD) >> 1n) : undefined

const readVia = <M>(port: DmaPort<M>, m: M, pa: bigint, size: AccessSize): bigint => {
  const v = port.read(m, pa, size)
  return isLeft(v) ? 0n : v.right
}
const writeVia = <M>(port: DmaPort<M>, m: M, pa: bigint, value: bigint): M => {
  const r = port.write(m, pa, 8, value)
  return isLeft(r) ? m : r.right
}

const readBytes = <M>(port: DmaPort<M>, m: M, pa: bigint, len: number): Uint8Array => {
  const out = new Uint8Array(len)
  for (let i = 0; i < len; i++) out[i] = Number(readVia(port, m, pa + BigInt(i), 1))
  return out
}

/**
 * The host's poll at the end of a chunk: serve a pending tohost command and deliver a queued answer,
 * reaching memory through `port`.
 */
export const serviceHtif = <M>(memory: M, h: Htif, port: DmaPort<M>): { memory: M; htif: Htif } => {
  if (h.tohost === undefined || h.exitCode !== undefined) return { memory, htif: h }
  let m = memory
  let exitCode: number | undefined
  let pending = h.pending
  let output = h.output
  const v = readVia(port, m, h.tohost, 8)
  if (v !== 0n) {
    m = writeVia(port, m, h.tohost, 0n)
    const device = v >> 56n, cmd = (v >> 48n) & 0xffn, payload = v & PAYLOAD
    if (device === 0n && cmd === 0n) {
      if ((payload & 1n) === 1n) {
        exitCode = Number(payload >> 1n)
      } else {
        // A proxied system call: the request block holds the number and a0–a6.
        const at = payload
        const arg = (i: number): bigint => readVia(port, m, at + BigInt(8 * i), 8)
        const n = arg(0)
        let result: bigint
        if (n === SYS_WRITE) {
          const fd = arg(1), buf = arg(2), len = arg(3)
          if (fd === 1n || fd === 2n) {
            output = [...output, { fd: Number(fd), bytes: readBytes(port, m, buf, Number(len)) }]
            result = len
          } else {
            result = neg(EBADF)
          }
        } else if (n === SYS_EXIT) {
          exitCode = Number(BigInt.asUintN(32, arg(1)))
          result = 0n
        } else {
          result = neg(ENOSYS)                  // Spike stops with "bad syscall"; this model answers ENOSYS
        }
        m = writeVia(port, m, at, result)
        pending = [...pending, (v >> 48n << 48n) | 1n]
      }
    } else if (device === 1n && cmd === 1n) {
      output = [...output, { fd: 1, bytes: Uint8Array.of(Number(payload & 0xffn)) }]
    }
  }
  if (pending.length > 0 && h.fromhost !== undefined && readVia(port, m, h.fromhost, 8) === 0n) {
    m = writeVia(port, m, h.fromhost, pending[0]!)
    pending = pending.slice(1)
  }
  return { memory: m, htif: htif(h.tohost, h.fromhost, exitCode ?? h.exitCode, pending, output) }
}

/** HTIF as a bus master (dma.ts): the host's poll. */
export const htifMaster: BusMaster<Htif> = (h, memory, port) => {
  const r = serviceHtif(memory, h, port)
  return { state: r.htif, memory: r.memory }
}
