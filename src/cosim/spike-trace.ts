// A recorded DUT trace from Spike, the independent source of the co-simulation's golden streams: Spike's
// output of `spike -l --log-commits --dc=1:1:8 --log-cache-miss` (all on stderr, in execution order)
// turned into protocol events (events.ts). Where each value comes from:
// - retire: the commit line (`core 0: PRIV 0xPC (0xBITS) [xN 0xV] [cNUM_NAME 0xV] [mem 0xVA [0xDATA]]…`);
// - trap: `core 0: exception trap_NAME, epc 0xPC` (or `interrupt #N`) and the `tval 0xV` line after it;
// - access: the commit line's `mem` items give the VA (and a store's data, whose digits give its size);
//   a load's size comes from the instruction's encoding (funct3 / funct7, table below) and its value
//   from the register it wrote (a load into x0 has no known value: no access event); the physical
//   address comes from Spike's data-cache model: with one 8-byte line (--dc=1:1:8) every access to
//   another line misses and `--log-cache-miss` prints its physical address (Spike traces data
//   accesses after translation: riscv/mmu.cc perform_intrapage_load/store); an access that hits used
//   the line of the previous one, and its low 3 bits are the VA's.
// - fetch: Spike does not trace instruction fetches while it logs commits (its TLB is not refilled then, and
//   the fetch tracer is reached only through the TLB), so they come from a second run, `spike -l --ic=1:1:8
//   --log-cache-miss` (no commit log): the same instructions in the same order, each `-l` line preceded by
//   the instruction cache's misses; the k-th `-l` line of both runs is the same instruction, and its fetch
//   PA is read off the I$ misses as the data accesses' are off the D$ misses (`spikeFetches`).
// The stream ends with the commit line of the store of an exit command to tohost, as golden/programs'
// commit logs do (Spike itself spins until its next HTIF poll).
import { type Either, left, right } from '../bits/either.ts'
import { type DutEvent, type AccessEvent } from './events.ts'

/** mcause codes of Spike's trap names (Priv. ISA mcause table; H chapter for 10, 20–23). */
const TRAP_CODES: Readonly<Record<string, bigint>> = {
  trap_instruction_address_misaligned: 0n, trap_instruction_access_fault: 1n, trap_illegal_instruction: 2n,
  trap_breakpoint: 3n, trap_load_address_misaligned: 4n, trap_load_access_fault: 5n,
  trap_store_address_misaligned: 6n, trap_store_access_fault: 7n, trap_user_ecall: 8n,
  trap_supervisor_ecall: 9n, trap_virtual_supervisor_ecall: 10n, trap_machine_ecall: 11n,
  trap_instruction_page_fault: 12n, trap_load_page_fault: 13n, trap_store_page_fault: 15n,
  trap_instruction_guest_page_fault: 20n, trap_load_guest_page_fault: 21n, trap_virtual_instruction: 22n,
  trap_store_guest_page_fault: 23n,
}

/**
 * The size in bytes of a load (or the load of an AMO, LR, HLV) encoded by `bits`, from the encoding alone
 * (Unpriv. ISA: LOAD funct3, AMO funct3, the C quadrants; H chapter: HLV funct7), or undefined.
 */
export const loadSize = (bits: number): number | undefined => {
  if ((bits & 3) !== 3) {
    const f3 = (bits >>> 13) & 7
    if ((bits & 3) === 0 || (bits & 3) === 2) return f3 === 2 ? 4 : f3 === 3 ? 8 : undefined   // c.lw(sp), c.ld(sp)
    return undefined
  }
  const f3 = (bits >>> 12) & 7
  switch (bits & 0x7f) {
    case 0x03: return [1, 2, 4, 8, 1, 2, 4][f3]
    case 0x2f: return f3 === 2 ? 4 : f3 === 3 ? 8 : undefined
    case 0x73: return f3 === 4 && (bits >>> 25) >= 0x30 && (bits >>> 25) <= 0x37 ? 1 << (((bits >>> 25) >> 1) & 3) : undefined
    default: return undefined
  }
}

const HEX = /^0x[0-9a-f]+$/
const hexOf = (s: string | undefined): bigint | undefined => (s !== undefined && HEX.test(s) ? BigInt(s) : undefined)

interface Miss { readonly store: boolean; readonly pa: bigint; readonly line: number }
interface Item { readonly va: bigint; readonly store: boolean; readonly data: bigint | undefined; readonly dataDigits: number }

/**
 * Converts Spike's combined log (see the file's head) to events, ending at the store of an exit command
 * to `tohost`. A line it cannot place is an error naming the line (from 1).
 */
export const spikeTraceEvents = (text: string, tohost: bigint, fetches?: readonly SpikeFetch[]): Either<{ line: number; message: string }, DutEvent[]> => {
  const out: DutEvent[] = []
  let fetched = 0
  let misses: Miss[] = []
  let lastLine: bigint | undefined          // the D$ line (PA >> 3) last accessed
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const text1 = lines[n]!
    const fail = (message: string): Either<{ line: number; message: string }, DutEvent[]> => left({ line: n + 1, message })
    if (text1 === '') continue
    const miss = /^D\$ (read|write) miss (0x[0-9a-f]+)$/.exec(text1)
    if (miss !== null) {
      const pa = BigInt(miss[2]!)
      misses.push({ store: miss[1] === 'write', pa, line: n + 1 })
      continue
    }
    const m = /^core +0: (.*)$/.exec(text1)
    if (m === null) return fail(`not a line of Spike's log: ${JSON.stringify(text1.slice(0, 60))}`)
    const body = m[1]!
    if (body.startsWith('>>>>')) continue                                  // a label (-l)
    const before = /^(0x[0-9a-f]{16}) \(0x[0-9a-f]{8}\) /.exec(body)       // the -l line before an instruction runs
    if (before !== null) {
      if (fetches === undefined) continue
      const f = fetches[fetched++]
      if (f === undefined || f.pc !== BigInt(before[1]!)) return fail(`the fetch run's ${fetched}th instruction is not this one`)
      out.push({ event: 'fetch', pc: f.pc, pa: f.pa })
      continue
    }
    const tval = /^ +tval (0x[0-9a-f]+)$/.exec(body)
    if (tval !== null) {
      const t = out[out.length - 1]
      if (t === undefined || t.event !== 'trap') return fail('a tval line that follows no exception line')
      out[out.length - 1] = { ...t, tval: BigInt(tval[1]!) }
      continue
    }
    const exc = /^exception (\S+|interrupt #\d+), epc (0x[0-9a-f]{16})$/.exec(body)
    if (exc !== null) {
      const name = exc[1]!
      const irq = /^interrupt #(\d+)$/.exec(name)
      const cause = irq !== null ? (1n << 63n) | BigInt(irq[1]!) : TRAP_CODES[name]
      if (cause === undefined) return fail(`unknown trap name ${name}`)
      for (const x of misses) lastLine = x.pa >> 3n                         // a trapped instruction's accesses still filled the line
      misses = []
      out.push({ event: 'trap', pc: BigInt(exc[2]!), cause, tval: 0n })
      continue
    }
    const commit = /^[013] (0x[0-9a-f]{16}) \(0x([0-9a-f]{4}|[0-9a-f]{8})\)(.*)$/.exec(body)
    if (commit === null) return fail(`not a commit, exception or -l line: ${JSON.stringify(body.slice(0, 60))}`)
    const pc = BigInt(commit[1]!)
    const insn = Number(`0x${commit[2]!}`)
    const tokens = commit[3]!.trim().split(/ +/).filter((x) => x !== '')
    let rd: number | undefined, value: bigint | undefined
    const items: Item[] = []
    for (let k = 0; k < tokens.length; k++) {
      const tok = tokens[k]!
      if (tok === 'mem') {
        const va = hexOf(tokens[k + 1])
        if (va === undefined) return fail('a mem item without an address')
        const data = tokens[k + 2]
        const isData = data !== undefined && HEX.test(data)
        items.push({ va, store: isData, data: isData ? BigInt(data) : undefined, dataDigits: isData ? data.length - 2 : 0 })
        k += isData ? 2 : 1
        continue
      }
      const reg = /^x(\d+)$/.exec(tok)
      const v = hexOf(tokens[k + 1])
      if (v === undefined) return fail(`item ${tok} without a value`)
      if (reg !== null && reg[1] !== '0') { rd = Number(reg[1]); value = v }
      k += 1                                                              // a CSR write (cNUM_NAME) or rd: skipped past
    }
    out.push(rd === undefined ? { event: 'retire', pc, insn } : { event: 'retire', pc, insn, rd, value: value! })
    // The accesses, each with its physical address from the D$ misses (see the head of the file).
    for (const it of items) {
      const size = it.store ? it.dataDigits / 2 : loadSize(insn)
      if (size === undefined || ![1, 2, 4, 8].includes(size)) return fail(`cannot tell the size of the access at VA 0x${it.va.toString(16)}`)
      const parts = (it.va & 0xfffn) + BigInt(size) > 0x1000n ? [it.va, (it.va | 0xfffn) + 1n] : [it.va]
      let first: bigint | undefined
      for (const va of parts) {
        const cand = misses[0]
        let pa: bigint
        if (cand !== undefined && cand.store === it.store && (cand.pa & 0xfffn) === (va & 0xfffn) && (lastLine === undefined || cand.pa >> 3n !== lastLine)) {
          pa = cand.pa
          misses = misses.slice(1)
        } else if (lastLine !== undefined && (lastLine & 0x1ffn) === ((va >> 3n) & 0x1ffn)) {
          pa = (lastLine << 3n) | (va & 7n)
        } else {
          return fail(`no D$ miss line gives the physical address of the access at VA 0x${va.toString(16)}`)
        }
        lastLine = pa >> 3n
        first ??= pa
      }
      const loadValue = rd === undefined ? undefined : BigInt.asUintN(8 * size, value!)
      const v = it.store ? it.data! : loadValue
      if (v === undefined) continue                                         // a load into x0: its value is not in the log
      const a: AccessEvent = { event: 'access', pc, va: it.va, pa: first!, size, store: it.store, value: v }
      out.push(a)
    }
    if (misses.length > 0) return left({ line: misses[0]!.line, message: `a D$ miss that no access of the instruction at 0x${pc.toString(16)} explains` })
    const exit = items.find((it) => it.store && it.va === tohost && it.data !== undefined && (it.data & 1n) === 1n && it.data >> 48n === 0n)
    if (exit !== undefined) return right(out)
  }
  return right(out)
}

/** One instruction fetch of Spike's: the pc and the physical address it was fetched from. */
export interface SpikeFetch { readonly pc: bigint; readonly pa: bigint }

/**
 * The fetches of `spike -l --ic=1:1:8 --log-cache-miss` (without a commit log), one per `-l` line, in order:
 * the PA from the I$ miss line before it, or on a hit the last line's with the pc's low 3 bits.
 */
export const spikeFetches = (text: string): Either<{ line: number; message: string }, SpikeFetch[]> => {
  const out: SpikeFetch[] = []
  let miss: bigint | undefined
  let lastLine: bigint | undefined
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const l = lines[n]!
    const m = /^I\$ read miss (0x[0-9a-f]+)$/.exec(l)
    if (m !== null) { miss = BigInt(m[1]!); continue }
    const insn = /^core +0: (0x[0-9a-f]{16}) \(0x[0-9a-f]{8}\) /.exec(l)
    if (insn === null) continue                                           // labels, exception and tval lines
    const pc = BigInt(insn[1]!)
    let pa: bigint
    if (miss !== undefined && (miss & 0xfffn) === (pc & 0xfffn)) pa = miss
    else if (miss === undefined && lastLine !== undefined && (lastLine & 0x1ffn) === ((pc >> 3n) & 0x1ffn)) pa = (lastLine << 3n) | (pc & 7n)
    else return left({ line: n + 1, message: `no I$ miss line gives the physical address of the fetch at 0x${pc.toString(16)}` })
    lastLine = pa >> 3n
    miss = undefined
    out.push({ pc, pa })
  }
  return right(out)
}
