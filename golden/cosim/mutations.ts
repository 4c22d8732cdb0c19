// The mutation table of the co-simulation (issue 18, "proof that it catches bugs"): Spike's recorded
// retirement streams (NAME.spike.jsonl, from Spike itself) with one DUT bug injected each, and what cosim
// says about them. Each mutant names the event it changed; cosim must stop at exactly that event, with the
// field named here and an explanation containing `explains`. Shared by the table script
// (mutation-table.ts) and its test (mutations.golden.ts).
import { readFileSync } from 'node:fs'
import { type DutEvent, type Mismatch, type RetireEvent, cosimRun, decodeEvent, startCosim } from '../../src/cosim/index.ts'
import { peek } from '../../src/memory/memory.ts'
import { phys } from '../../src/bits/address.ts'
import { loadGoldenProgram } from '../programs/load.ts'
import programs from '../programs/programs.json' with { type: 'json' }

/** The programs with a recorded Spike trace here (make-traces.sh). */
export const TRACED = ['basics', 'traps', 'sv39', 'hyp', 'svadu', 'interrupts', 'misaligned', 'spike_tlb', 'forgot_fence'] as const
export type Traced = typeof TRACED[number]

export const isaOf = (name: Traced): string => (programs.programs as Record<string, { isa: string }>)[name]!.isa

/** The recorded events of a program's Spike trace. */
export const traceOf = (name: Traced): DutEvent[] =>
  readFileSync(new URL(`./${name}.spike.jsonl`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '').map((l, i) => {
    const e = decodeEvent(l)
    if (e._tag === 'Left') throw new Error(`${name}.spike.jsonl:${i + 1}: ${e.left}`)
    return e.right
  })

/** Replays events through the co-simulation of a program from reset. */
export const replay = (name: Traced, events: readonly DutEvent[]): ReturnType<typeof cosimRun> =>
  cosimRun(startCosim(loadGoldenProgram(name, isaOf(name)).machine), events)

export interface Mutant {
  readonly kind: string
  readonly program: Traced
  /** What was changed, in words. */
  readonly change: string
  /** The index of the injected (changed or inserted) event. */
  readonly index: number
  readonly events: readonly DutEvent[]
  /** The field cosim must name, and a phrase its explanation must contain. */
  readonly field: string
  readonly explains: string
}

const hexText = (v: bigint): string => `0x${v.toString(16)}`
const replaced = (es: readonly DutEvent[], i: number, e: DutEvent): DutEvent[] => es.map((x, k) => (k === i ? e : x))
const inserted = (es: readonly DutEvent[], i: number, e: DutEvent): DutEvent[] => [...es.slice(0, i), e, ...es.slice(i)]
const findIndex = (es: readonly DutEvent[], p: (e: DutEvent, i: number) => boolean, what: string): number => {
  const i = es.findIndex(p)
  if (i < 0) throw new Error(`no event to mutate: ${what}`)
  return i
}

/** Each kind of DUT bug, injected into one recorded stream. */
export const mutants = (): Mutant[] => {
  const out: Mutant[] = []

  // A wrong register value: the 100th register write of basics with its bit 0 flipped.
  {
    const es = traceOf('basics')
    const writes = es.flatMap((e, i) => (e.event === 'retire' && e.rd !== undefined ? [i] : []))
    const i = writes[99]!
    const e = es[i] as RetireEvent
    out.push({ kind: 'wrong register value', program: 'basics', change: `x${e.rd} ${hexText(e.value!)} → ${hexText(e.value! ^ 1n)} at pc ${hexText(e.pc)}`,
      index: i, events: replaced(es, i, { ...e, value: e.value! ^ 1n }), field: 'value', explains: 'the model writes' })
  }

  // A missed trap: the first ECALL of traps retires in the DUT instead of trapping (cause 11: M-mode ecall).
  {
    const es = traceOf('traps')
    const i = findIndex(es, (e) => e.event === 'trap' && e.cause === 11n, 'an M-mode ecall')
    const t = es[i] as Extract<DutEvent, { event: 'trap' }>
    const insn = Number(peek(loadGoldenProgram('traps', isaOf('traps')).machine.memory, phys(t.pc), 4))
    out.push({ kind: 'missed trap', program: 'traps', change: `the ecall at pc ${hexText(t.pc)} retires instead of trapping`,
      index: i, events: replaced(es, i, { event: 'retire', pc: t.pc, insn }), field: 'event', explains: 'environment call from M-mode' })
  }

  // A wrong cause: the first load page fault of sv39 reported as a store page fault.
  {
    const es = traceOf('sv39')
    const i = findIndex(es, (e) => e.event === 'trap' && e.cause === 13n, 'a load page fault')
    const t = es[i] as Extract<DutEvent, { event: 'trap' }>
    out.push({ kind: 'wrong cause', program: 'sv39', change: `cause 13 → 15 (load → store page fault) at pc ${hexText(t.pc)}`,
      index: i, events: replaced(es, i, { ...t, cause: 15n }), field: 'cause', explains: '✗ load page fault' })
  }

  // A wrong PA under Sv39: the first translated access of sv39 (VA ≠ PA) one page off.
  {
    const es = traceOf('sv39')
    const i = findIndex(es, (e) => e.event === 'access' && e.va !== e.pa, 'a translated access')
    const a = es[i] as Extract<DutEvent, { event: 'access' }>
    out.push({ kind: 'wrong PA (Sv39)', program: 'sv39', change: `PA ${hexText(a.pa)} → ${hexText(a.pa ^ 0x1000n)} for VA ${hexText(a.va)}`,
      index: i, events: replaced(es, i, { ...a, pa: a.pa ^ 0x1000n }), field: 'pa', explains: '→ PA' })
  }

  // A wrong fetch PA under Sv39: the first translated fetch of sv39 (pc ≠ PA) one page off.
  {
    const es = traceOf('sv39')
    const i = findIndex(es, (e) => e.event === 'fetch' && e.pc !== e.pa, 'a translated fetch')
    const f = es[i] as Extract<DutEvent, { event: 'fetch' }>
    out.push({ kind: 'wrong fetch PA (Sv39)', program: 'sv39', change: `fetch PA ${hexText(f.pa)} → ${hexText(f.pa ^ 0x1000n)} for pc ${hexText(f.pc)}`,
      index: i, events: replaced(es, i, { ...f, pa: f.pa ^ 0x1000n }), field: 'pa', explains: 'fetch VA' })
  }

  // A wrong PA under two-stage translation: the first access of hyp's guest itself (not an HLV/HSV of the
  // hypervisor) to GVA 0x4000_0000…, VS-stage Sv39 over G-stage Sv39x4, one page off.
  {
    const es = traceOf('hyp')
    const byGuest = (e: DutEvent, k: number): boolean => {
      const r = es.slice(0, k).reverse().find((x) => x.event === 'retire')
      return r?.event === 'retire' && (r.insn & 0x7f) !== 0x73
    }
    const i = findIndex(es, (e, k) => e.event === 'access' && e.va >= 0x4000_0000n && e.va < 0x4001_0000n && byGuest(e, k), 'a guest access')
    const a = es[i] as Extract<DutEvent, { event: 'access' }>
    out.push({ kind: 'wrong PA (two-stage)', program: 'hyp', change: `PA ${hexText(a.pa)} → ${hexText(a.pa ^ 0x1000n)} for GVA ${hexText(a.va)}`,
      index: i, events: replaced(es, i, { ...a, pa: a.pa ^ 0x1000n }), field: 'pa', explains: 'via GPA' })
  }

  // A missed A/D update: in svadu the walker sets A and D in hardware; a DUT that does not reads its PTE
  // back without them (the load of the PTE that follows: A and D cleared in the loaded value).
  {
    const es = traceOf('svadu')
    const { state } = replay('svadu', es)
    const ad = state.adWrites
    const j = findIndex(es, (e, k) => e.event === 'access' && !e.store && ad.some((w) => w.pteAddr === e.pa && w.index < k && (w.pte & 0xc0n) !== (w.old & 0xc0n)), 'a load of a PTE the walker updated')
    const i = j - 1
    const r = es[i] as RetireEvent
    const a = es[j] as Extract<DutEvent, { event: 'access' }>
    const lost = ad.find((w) => w.pteAddr === a.pa)!
    const mask = (lost.pte ^ lost.old) & 0xc0n
    const mutated = replaced(replaced(es, i, { ...r, value: r.value! & ~mask }), j, { ...a, value: a.value & ~mask })
    out.push({ kind: 'missed A/D update', program: 'svadu', change: `the PTE at PA ${hexText(a.pa)} read back without the ${mask === 0xc0n ? 'A and D bits' : mask === 0x40n ? 'A bit' : 'D bit'} the walk set`,
      index: i, events: mutated, field: 'value', explains: 'updated in hardware' })
  }

  // An interrupt taken too early: the first timer interrupt of interrupts, taken two instructions before
  // the boundary Spike took it at (before `csrsi mstatus, MIE` has enabled it).
  {
    const es = traceOf('interrupts')
    const t = findIndex(es, (e) => e.event === 'trap' && e.cause === ((1n << 63n) | 7n), 'a timer interrupt')
    const retires = es.slice(0, t).flatMap((e, k) => (e.event === 'retire' ? [k] : []))
    const r = retires[retires.length - 2]!
    const at = es[r] as RetireEvent
    const i = es[r - 1]?.event === 'fetch' ? r - 1 : r                 // before that instruction's fetch, if any
    const trap = es[t] as Extract<DutEvent, { event: 'trap' }>
    out.push({ kind: 'interrupt taken too early', program: 'interrupts', change: `the machine timer interrupt taken at pc ${hexText(at.pc)} instead of ${hexText(trap.pc)}`,
      index: i, events: inserted(es.filter((_, k) => k !== t), i, { ...trap, pc: at.pc }), field: 'cause', explains: 'no interrupt is both pending and enabled' })
  }
  return out
}

/** What cosim said about a mutant: the first mismatch, or undefined when the stream passed. */
export const verdictOf = (m: Mutant): Mismatch | undefined => {
  const last = replay(m.program, m.events).replies.at(-1)
  return last !== undefined && !last.ok && 'field' in last ? last : undefined
}

const cell = (s: string): string => s.replaceAll('|', '\\|').trim().replace(/ {2,}/g, ' ')

/**
 * The mutation table as Markdown: one row per injected DUT bug (where it was injected, where cosim stopped,
 * the field, both values, the explanation's first line and its line naming the cause), then a line on the
 * unmutated streams replayed end to end.
 */
export const mutationTable = (): string => {
  const rows = mutants().map((m) => {
    const v = verdictOf(m)
    if (v === undefined) return `| ${m.kind} | ${m.program} | ${cell(m.change)} | ${m.index} | **passed: not caught** | | | | |`
    const key = v.explain.find((l) => l.includes(m.explains)) ?? ''
    const why = [v.explain[0] ?? '', ...(key === v.explain[0] ? [] : [key])].map(cell).join(' / ')
    return `| ${m.kind} | ${m.program} | ${cell(m.change)} | ${m.index} | ${v.index} | ${v.field} | ${JSON.stringify(v.dut)} | ${JSON.stringify(v.model)} | ${why} |`
  })
  const clean = TRACED.map((name) => {
    const es = traceOf(name)
    const r = replay(name, es)
    return `${name} ${r.replies.filter((x) => x.ok).length}/${es.length}`
  })
  return [
    '| injected bug | program | change | injected at event | cosim stopped at | field | DUT | model | explanation (first line / the line naming the cause) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Unmutated streams, events matched: ${clean.join(', ')}.`,
    '',
  ].join('\n')
}
