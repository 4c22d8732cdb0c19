// A GDB remote-protocol session over a machine, as a pure function (session, packet) → (session, replies)
// (GDB manual, "Remote Protocol": "Packets", "Stop Reply Packets", "General Query Packets", "Host I/O"
// aside). The socket, acknowledgments and framing are the shell's (src/cli/gdbserver.ts, packet.ts).
// Execution runs in bounded slices so every call returns: a continue that has not stopped leaves the
// session running, and `resume` runs the next slice (the shell checks for an interrupt in between).
import { type Elf } from '../elf/elf.ts'
import { type StepEvent } from '../cpu/event.ts'
import { type Machine } from '../machine/machine.ts'
import { step } from '../machine/step.ts'
import { type Space, readMemory, writeMemory } from '../hypervisor/introspect/memory.ts'
import { MAX_PACKET } from './packet.ts'
import { type History, type Stepper, checkpointBefore, earliest, record, startHistory, stateAt } from './history.ts'
import { REG_PC, allRegisters, hexLE, parseHexLE, readRegister, targetXml, writeAllRegisters, writeRegister } from './target.ts'
import { monitor } from './monitor.ts'

/** A watchpoint (Z2 write, Z3 read, Z4 access) over [address, address + length). */
export interface Watchpoint {
  readonly kind: 'watch' | 'rwatch' | 'awatch'
  readonly address: bigint
  readonly length: bigint
}

/** What a resumed hart does until it stops; `from`: the position it was resumed at. */
export type Running =
  | { readonly _tag: 'Continue'; readonly from: number }
  | { readonly _tag: 'Range'; readonly from: number; readonly start: bigint; readonly end: bigint }

export interface SessionConfig {
  readonly stepper: Stepper
  /** Steps per slice of a continue: the most one call executes (the session always returns). */
  readonly slice: number
  /** Checkpoint spacing and count of the reverse-execution history. */
  readonly interval: number
  readonly capacity: number
  /** The program's symbols, for `monitor` commands. */
  readonly elf: Elf | undefined
}

export const defaultConfig: SessionConfig = { stepper: (m) => step(m), slice: 20_000, interval: 1000, capacity: 200, elf: undefined }

export interface Session {
  readonly config: SessionConfig
  readonly machine: Machine
  /** Steps executed since attach: the index of `machine` in the history. */
  readonly position: number
  readonly traps: number
  readonly history: History
  /** Software breakpoints (Z0): any number. */
  readonly breakpoints: readonly bigint[]
  /** Hardware breakpoints (Z1): each takes one of the hart's triggers, as a watchpoint does. */
  readonly hardwareBreakpoints: readonly bigint[]
  readonly watchpoints: readonly Watchpoint[]
  readonly noAck: boolean
  /** `monitor physical on`: memory packets address physical memory. */
  readonly physical: boolean
  readonly running: Running | undefined
  /** The last stop reply (answered again to `?`). */
  readonly lastStop: string
  readonly status: 'attached' | 'detached' | 'killed'
}

export const newSession = (machine: Machine, config: SessionConfig = defaultConfig): Session => ({
  config, machine, position: 0, traps: 0, history: startHistory(0, machine, 0, config.interval, config.capacity),
  breakpoints: [], hardwareBreakpoints: [], watchpoints: [], noAck: false, physical: false, running: undefined, lastStop: 'S05', status: 'attached',
})

/** The session and the packets (payloads) it answers with, in order. */
export interface Answer {
  readonly session: Session
  readonly replies: readonly string[]
}

const answer = (session: Session, ...replies: string[]): Answer => ({ session, replies })
/** The session with some fields changed (per packet; the per-step path uses `advanced`). */
const withFields = (s: Session, patch: Partial<Session>): Session => ({ ...s, ...patch })
/** The session after a step: one constructor call, no spread (it runs for every step of a continue). */
const advanced = (s: Session, machine: Machine, position: number, traps: number, history: History): Session => ({
  config: s.config, machine, position, traps, history, breakpoints: s.breakpoints, hardwareBreakpoints: s.hardwareBreakpoints, watchpoints: s.watchpoints,
  noAck: s.noAck, physical: s.physical, running: s.running, lastStop: s.lastStop, status: s.status,
})

// ---- error replies ("Standard Replies": E NN, errno-style numbers) ---------------------------------------
const E_MALFORMED = 'E01'
const E_FAULT = 'E0e'          // EFAULT: memory not accessible
const E_REGISTER = 'E16'       // EINVAL: no such register or value refused
const E_NO_TRIGGER = 'E1c'     // ENOSPC: every trigger of the hart is taken

// ---- hex helpers ---------------------------------------------------------------------------------------
const HEX = /^[0-9a-fA-F]+$/
const parseHexNumber = (t: string | undefined): bigint | undefined =>
  t !== undefined && HEX.test(t) && t.length <= 16 ? BigInt('0x' + t) : undefined
const bytesToHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const hexToBytes = (t: string): Uint8Array | undefined => {
  if (t.length % 2 !== 0 || (t.length > 0 && !HEX.test(t))) return undefined
  const out = new Uint8Array(t.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16)
  return out
}
const textToHex = (t: string): string => bytesToHex(new TextEncoder().encode(t))
const hexToText = (t: string): string | undefined => {
  const b = hexToBytes(t)
  return b === undefined ? undefined : new TextDecoder().decode(b)
}

/** The address space memory packets use. */
const space = (s: Session): Space => (s.physical ? 'physical' : 'current')

// ---- stop replies ("Stop Reply Packets") --------------------------------------------------------------------
const SIGTRAP = '05', SIGINT = '02'
const stopTrap = (extra = ''): string => `T${SIGTRAP}${extra}thread:1;`
const exited = (code: number): string => `W${(code & 0xff).toString(16).padStart(2, '0')}`

/** The watchpoint an event's accesses hit, with the address reported (the first watched byte accessed). */
const watchHit = (s: Session, ev: StepEvent): string | undefined => {
  if (ev._tag !== 'Retired' || s.watchpoints.length === 0) return undefined
  for (const w of s.watchpoints) {
    const lists = w.kind === 'watch' ? [ev.stores] : w.kind === 'rwatch' ? [ev.loads] : [ev.loads, ev.stores]
    for (const list of lists) {
      for (const a of list) {
        const at = s.physical ? a.pa : a.va
        const end = at + BigInt(a.size)
        if (at < w.address + w.length && w.address < end) {
          const reported = at > w.address ? at : w.address
          return `${w.kind}:${reported.toString(16)};`
        }
      }
    }
  }
  return undefined
}

/** One forward step of the session, recorded in the history. */
const stepOnce = (s: Session): { session: Session; event: StepEvent } => {
  const r = s.config.stepper(s.machine)
  const position = s.position + 1
  const traps = s.traps + (r.event._tag === 'Trapped' ? 1 : 0)
  return {
    session: advanced(s, r.machine, position, traps, record(s.history, position, r.machine, traps)),
    event: r.event,
  }
}

/** The stop reply a step ends with, if it ends a resumption: the program's exit, or a breakpoint at the new pc. */
const stopAfter = (s: Session): string | undefined => {
  const code = s.machine.htif.exitCode
  if (code !== undefined) return exited(code)
  if (breaksAt(s, s.machine.hart.pc)) return stopTrap()
  return undefined
}

const isWatchStop = (reply: string): boolean => /^T05(watch|rwatch|awatch):/.test(reply)

const stopped = (s: Session, reply: string): Answer =>
  answer(withFields(s, { running: undefined, lastStop: reply }), reply)

/**
 * Runs the session's resumption for at most one slice: stops at exit, a watchpoint, a breakpoint, or
 * (range-stepping) when pc leaves the range. Still running after the slice: no reply yet.
 */
export const resume = (s0: Session): Answer => {
  const run = s0.running
  if (run === undefined || s0.status !== 'attached') return answer(s0)
  if (s0.machine.htif.exitCode !== undefined) return stopped(s0, exited(s0.machine.htif.exitCode))
  // Resumed where a watchpoint stopped it: the access that hit it is let through once (GDB removes its
  // watchpoints to step over it; a client that does not would otherwise never get past it).
  const passWatch = isWatchStop(s0.lastStop)
  let s = s0
  for (let i = 0; i < s.config.slice; i++) {
    const r = stepOnce(s)
    // RISC-V debug triggers fire before the access (Debug spec, mcontrol timing = 0), and GDB's riscv target
    // treats watchpoints as non-steppable: the stop is the state before the instruction that accessed.
    const w = passWatch && s.position === run.from ? undefined : watchHit(s, r.event)
    if (w !== undefined) return stopped(s, stopTrap(w))
    s = r.session
    const stop = stopAfter(s)
    if (stop !== undefined) return stopped(s, stop)
    if (run._tag === 'Range' && (s.machine.hart.pc < run.start || s.machine.hart.pc >= run.end)) return stopped(s, stopTrap())
  }
  return answer(s)
}

/** The 0x03 byte: a running session stops with SIGINT; a stopped one ignores it. */
export const interrupt = (s: Session): Answer =>
  s.running === undefined ? answer(s) : stopped(s, `T${SIGINT}thread:1;`)

/** One instruction, always executed (a watchpoint it hits is not reported: the step is the client's). */
const singleStep = (s0: Session): Answer => {
  if (s0.machine.htif.exitCode !== undefined) return stopped(s0, exited(s0.machine.htif.exitCode))
  const r = stepOnce(s0)
  return stopped(r.session, stopAfter(r.session) ?? stopTrap())
}

const continuing = (s: Session): Answer => resume(withFields(s, { running: { _tag: 'Continue', from: s.position } }))

const resumeAt = (s: Session, addr: string): Session | undefined => {
  if (addr === '') return s
  const a = parseHexNumber(addr)
  if (a === undefined) return undefined
  const w = writeRegister(s.machine, REG_PC, a)
  return w._tag === 'Right' ? changed(s, w.right) : undefined
}

// ---- reverse execution ------------------------------------------------------------------------------------

/** The session moved to an earlier state (`index` ≥ the earliest). */
const moveTo = (s: Session, index: number): Session => {
  const c = stateAt(s.history, index, s.config.stepper)!
  return withFields(s, { machine: c.machine, position: index, traps: c.traps })
}

const atBeginning = (s: Session): Answer => stopped(s, stopTrap('replaylog:begin;'))

const reverseStep = (s: Session): Answer =>
  s.position <= earliest(s.history) ? atBeginning(s) : stopped(moveTo(s, s.position - 1), stopTrap())

/**
 * `bc`: back to the latest earlier state where a breakpoint is at pc, or from which the next step hits a
 * watchpoint (so the access is about to happen again), or to the beginning of the history. Each window
 * between checkpoints is replayed forward once, latest window first.
 */
const reverseContinue = (s: Session): Answer => {
  let end = s.position
  while (end > earliest(s.history)) {
    const c = checkpointBefore(s.history, end - 1)!
    let m = c.machine
    let traps = c.traps
    let found: { index: number; machine: Machine; traps: number; reply: string } | undefined
    for (let i = c.index; i < end; i++) {
      if (breaksAt(s, m.hart.pc)) found = { index: i, machine: m, traps, reply: stopTrap() }
      const r = s.config.stepper(m)
      const w = watchHit(s, r.event)
      if (w !== undefined) found = { index: i, machine: m, traps, reply: stopTrap(w) }
      m = r.machine
      if (r.event._tag === 'Trapped') traps++
    }
    if (found !== undefined) {
      return stopped(withFields(s, { machine: found.machine, position: found.index, traps: found.traps }), found.reply)
    }
    end = c.index
  }
  return atBeginning(moveTo(s, earliest(s.history)))
}

// ---- state changes by the debugger -------------------------------------------------------------------------

/**
 * The session with the machine changed by the debugger (registers, memory): the recorded past no longer
 * leads to this state, so history starts afresh here.
 */
const changed = (s: Session, m: Machine): Session => withFields(s, {
  machine: m, history: startHistory(s.position, m, s.traps, s.config.interval, s.config.capacity),
})

// ---- packets ----------------------------------------------------------------------------------------------

const SUPPORTED = `PacketSize=${MAX_PACKET.toString(16)};qXfer:features:read+;QStartNoAckMode+;ReverseStep+;ReverseContinue+;vContSupported+`

/** The longest memory read answered in one packet (two hex digits a byte). */
const MAX_READ = Math.floor((MAX_PACKET - 8) / 2)

const readMemoryPacket = (s: Session, body: string): Answer => {
  const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(body)
  const addr = parseHexNumber(m?.[1])
  const len = parseHexNumber(m?.[2])
  if (addr === undefined || len === undefined) return answer(s, E_MALFORMED)
  const n = Number(len > BigInt(MAX_READ) ? BigInt(MAX_READ) : len)
  const bytes = readMemory(s.machine, space(s), addr, n)
  return answer(s, bytes._tag === 'Right' ? bytesToHex(bytes.right) : E_FAULT)
}

const writeMemoryPacket = (s: Session, body: string, binary: boolean): Answer => {
  const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+):([\s\S]*)$/.exec(body)
  const addr = parseHexNumber(m?.[1])
  const len = parseHexNumber(m?.[2])
  if (m === null || addr === undefined || len === undefined) return answer(s, E_MALFORMED)
  const data = binary ? Uint8Array.from(m[3]!, (ch) => ch.charCodeAt(0) & 0xff) : hexToBytes(m[3]!)
  if (data === undefined || BigInt(data.length) !== len) return answer(s, E_MALFORMED)
  if (data.length === 0) return answer(s, 'OK')
  const w = writeMemory(s.machine, space(s), addr, data)
  return w._tag === 'Right' ? answer(changed(s, w.right), 'OK') : answer(s, E_FAULT)
}

/** Is there a breakpoint, software or hardware, at `pc`? */
const breaksAt = (s: Session, pc: bigint): boolean => s.breakpoints.includes(pc) || s.hardwareBreakpoints.includes(pc)

/**
 * The hart's triggers a debugger may use: Sdtrig's tselect/tdata (cpu/csr/debug.ts; Spike has 4). A
 * hardware breakpoint (Z1) and a watchpoint (Z2–Z4) each take one mcontrol trigger, as OpenOCD spends
 * them on real RISC-V hardware; software breakpoints (Z0) take none.
 */
export const triggerCount = (s: Session): number => s.machine.hart.csr.triggers.length
const triggersInUse = (s: Session): number => s.hardwareBreakpoints.length + s.watchpoints.length

const breakpointPacket = (s: Session, insert: boolean, body: string): Answer => {
  if (/^[5-9]/.test(body)) return answer(s, '')              // a breakpoint type this stub does not support
  const m = /^([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)(;.*)?$/.exec(body)
  if (m === null) return answer(s, E_MALFORMED)
  const type = Number(m[1])
  const addr = parseHexNumber(m[2])
  const kind = parseHexNumber(m[3])
  if (addr === undefined || kind === undefined) return answer(s, E_MALFORMED)
  if (type === 0) {
    const others = s.breakpoints.filter((b) => b !== addr)
    return answer(withFields(s, { breakpoints: insert ? [...others, addr] : others }), 'OK')
  }
  // Inserting a hardware point already there takes no second trigger; past the hart's triggers: E1c.
  const full = triggersInUse(s) >= triggerCount(s)
  if (type === 1) {
    const others = s.hardwareBreakpoints.filter((b) => b !== addr)
    if (insert && others.length === s.hardwareBreakpoints.length && full) return answer(s, E_NO_TRIGGER)
    return answer(withFields(s, { hardwareBreakpoints: insert ? [...others, addr] : others }), 'OK')
  }
  if (kind === 0n) return answer(s, E_MALFORMED)
  const w: Watchpoint = { kind: type === 2 ? 'watch' : type === 3 ? 'rwatch' : 'awatch', address: addr, length: kind }
  const others = s.watchpoints.filter((x) => !(x.kind === w.kind && x.address === w.address && x.length === w.length))
  if (insert && others.length === s.watchpoints.length && full) return answer(s, E_NO_TRIGGER)
  return answer(withFields(s, { watchpoints: insert ? [...others, w] : others }), 'OK')
}

const registerPacket = (s: Session, body: string): Answer => {
  const n = parseHexNumber(body)
  if (n === undefined) return answer(s, E_MALFORMED)
  const v = readRegister(s.machine, Number(n))
  return answer(s, v._tag === 'Right' ? hexLE(v.right) : E_REGISTER)
}

const writeRegisterPacket = (s: Session, body: string): Answer => {
  const m = /^([0-9a-fA-F]+)=([0-9a-fA-F]+)$/.exec(body)
  const n = parseHexNumber(m?.[1])
  const v = m === null ? undefined : parseHexLE(m[2]!)
  if (n === undefined || v === undefined) return answer(s, E_MALFORMED)
  const w = writeRegister(s.machine, Number(n), v)
  return w._tag === 'Right' ? answer(changed(s, w.right), 'OK') : answer(s, E_REGISTER)
}

const xferFeatures = (s: Session, body: string): Answer => {
  const m = /^([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(body)
  if (m === null) return answer(s, E_MALFORMED)
  if (m[1] !== 'target.xml') return answer(s, 'E00')
  const xml = targetXml(s.machine.isa)
  const off = Number(parseHexNumber(m[2]) ?? 0n)
  const len = Math.min(Number(parseHexNumber(m[3]) ?? 0n), MAX_PACKET - 8)
  const chunk = xml.slice(off, off + len)
  return answer(s, (off + len >= xml.length ? 'l' : 'm') + chunk)
}

const monitorPacket = (s: Session, hexText: string): Answer => {
  const line = hexToText(hexText)
  if (line === undefined) return answer(s, E_MALFORMED)
  const out = monitor({ machine: s.machine, physical: s.physical, elf: s.config.elf, position: s.position, earliest: earliest(s.history), traps: s.traps }, line)
  const chunks: string[] = []
  const per = Math.floor((MAX_PACKET - 8) / 2)
  for (let i = 0; i < out.text.length; i += per) chunks.push('O' + textToHex(out.text.slice(i, i + per)))
  return answer(withFields(s, { physical: out.physical }), ...chunks, 'OK')
}

/** The action a vCont packet gives this (only) thread: the first that names it or no thread. */
const vContPacket = (s: Session, body: string): Answer => {
  const actions = body.split(';').slice(1)
  for (const a of actions) {
    const [act = '', thread] = a.split(':')
    if (thread !== undefined && !['1', '-1', '0', 'p1.1', 'p1.-1'].includes(thread)) continue
    if (act === 'c' || /^C[0-9a-fA-F]{2}$/.test(act)) return continuing(s)
    if (act === 's' || /^S[0-9a-fA-F]{2}$/.test(act)) return singleStep(s)
    const r = /^r([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(act)
    if (r !== null) {
      // Range stepping: step while pc stays in [start, end) (at least one step); breakpoints and watchpoints stop it.
      const start = parseHexNumber(r[1])!, end = parseHexNumber(r[2])!
      return resume(withFields(s, { running: { _tag: 'Range', from: s.position, start, end } }))
    }
    if (act === 't') return stopped(s, `T${SIGINT}thread:1;`)
    return answer(s, E_MALFORMED)
  }
  return answer(s, E_MALFORMED)
}

/**
 * Answers one packet (its data, unescaped). Unknown packets get the empty reply ("Packets": an
 * unsupported command); malformed ones `E01`. Never throws.
 */
export const handlePacket = (s: Session, data: string): Answer => {
  if (s.status !== 'attached') return answer(s)
  if (s.running !== undefined) return answer(s)          // all-stop mode: only 0x03 is heard while running
  const c = data.charAt(0)
  const body = data.slice(1)
  switch (c) {
    case '?': return answer(s, s.lastStop)
    case 'g': return data === 'g' ? answer(s, allRegisters(s.machine)) : answer(s, E_MALFORMED)
    case 'G': {
      const m = writeAllRegisters(s.machine, body)
      return m === undefined ? answer(s, E_MALFORMED) : answer(changed(s, m), 'OK')
    }
    case 'p': return registerPacket(s, body)
    case 'P': return writeRegisterPacket(s, body)
    case 'm': return readMemoryPacket(s, body)
    case 'M': return writeMemoryPacket(s, body, false)
    case 'X': return writeMemoryPacket(s, body, true)
    case 'c': case 'C': {
      const addr = c === 'C' ? (body.split(';')[1] ?? '') : body
      const at = resumeAt(s, addr)
      return at === undefined ? answer(s, E_MALFORMED) : continuing(at)
    }
    case 's': case 'S': {
      const addr = c === 'S' ? (body.split(';')[1] ?? '') : body
      const at = resumeAt(s, addr)
      return at === undefined ? answer(s, E_MALFORMED) : singleStep(at)
    }
    case 'b':
      if (data === 'bs') return reverseStep(s)
      if (data === 'bc') return reverseContinue(s)
      return answer(s, '')
    case 'Z': return breakpointPacket(s, true, body)
    case 'z': return breakpointPacket(s, false, body)
    case 'H': return answer(s, 'OK')
    case 'T': return answer(s, 'OK')
    case 'D': return answer(withFields(s, { status: 'detached' }), 'OK')
    case 'k': return answer(withFields(s, { status: 'killed' }))
  }
  if (data === 'vCont?') return answer(s, 'vCont;c;C;s;S;r')
  if (data.startsWith('vCont;')) return vContPacket(s, data)
  if (data === 'vKill' || data.startsWith('vKill;')) return answer(withFields(s, { status: 'killed' }), 'OK')
  if (data.startsWith('qSupported')) return answer(s, SUPPORTED)
  if (data.startsWith('qXfer:features:read:')) return xferFeatures(s, data.slice('qXfer:features:read:'.length))
  if (data === 'QStartNoAckMode') return answer(withFields(s, { noAck: true }), 'OK')
  if (data === 'qAttached' || data.startsWith('qAttached:')) return answer(s, '1')
  if (data === 'qC') return answer(s, 'QC1')
  if (data === 'qfThreadInfo') return answer(s, 'm1')
  if (data === 'qsThreadInfo') return answer(s, 'l')
  if (data.startsWith('qRcmd,')) return monitorPacket(s, data.slice('qRcmd,'.length))
  if (data.startsWith('qSymbol')) return answer(s, 'OK')
  return answer(s, '')
}
