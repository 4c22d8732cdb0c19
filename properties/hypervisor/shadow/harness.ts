// Runs one sequence of guest events two ways — through two-stage translation (the composed walk,
// `nestedAccess`) and through the VMM's shadow tables — and says where they first differ. Shared by
// the shadow ≡ nested laws of every format.
import { isLeft } from '../../../src/bits/either.ts'
import { fc } from '../../fc.ts'
import { phys } from '../../../src/bits/address.ts'
import { type PhysMemory, peek, poke } from '../../../src/memory/memory.ts'
import type { ShadowFormat } from '../../../src/hypervisor/shadow/format.ts'
import {
  type FenceScope, type ShadowOptions, type ShadowState, type StoreData,
  nestedAccess, shadowAccess, shadowFence, shadowInit, shadowPrefill, shadowSetRegs, shadowHostWrite,
} from '../../../src/hypervisor/shadow/shadow.ts'

export type Event<R, A> =
  /** `midUpdate`: one of several stores that together rewrite replicated descriptors; law 2 waits for the last. */
  | { readonly kind: 'access'; readonly va: bigint; readonly access: A; readonly data?: StoreData; readonly midUpdate?: boolean }
  | { readonly kind: 'fence'; readonly scope: FenceScope }
  /** New translation registers; `then` is the TLB maintenance the guest does before its next access (e.g. after a new TTBR under the same ASID). */
  | { readonly kind: 'regs'; readonly regs: R; readonly then?: FenceScope }
  /** The VMM fills a shadow leaf eagerly (invisible to the guest: nothing happens on the nested side). */
  | { readonly kind: 'prefill'; readonly va: bigint; readonly access: A }
  /** A device's DMA (or the VMM's own write) into guest memory at a host-physical address. */
  | { readonly kind: 'dma'; readonly hpa: bigint; readonly data: StoreData; readonly midUpdate?: boolean }

const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))

/**
 * Law 2: every leaf the hardware can use in the current shadow root grants only what the composition
 * grants, to the same host-physical address, inside the VMM's guest memory (never its shadow pool),
 * and without the guest's A/D state having to change first.
 */
const grantsWithin = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, tries: readonly A[]): string | undefined => {
  const root = s.roots[0]!
  for (const e of s.entries) {
    if (e.tag !== root.tag) continue
    const last = e.vaBase + (1n << BigInt(e.leaf.pageBits)) - 4n
    for (const va of [e.vaBase, last]) {
      for (const a of tries) {
        const w = format.shadowWalk(s.tables, root.table, s.regs, va, a)
        if (w.hit === undefined) continue
        const pool = s.options.poolBase
        if (w.hit.hpa >= pool && w.hit.hpa < pool + s.options.poolBytes) return `shadow maps ${show(va)} into the VMM's shadow pool`
        const n = format.nested(s.host, s.regs, va, a)
        if (isLeft(n.result)) return `shadow grants ${show(a)} at ${show(va)}, the composition faults: ${show(n.result.left)}`
        if (n.result.right.hpa !== w.hit.hpa) return `shadow sends ${show(va)} to ${show(w.hit.hpa)}, the composition to ${show(n.result.right.hpa)}`
        if (n.host !== s.host) return `shadow grants ${show(a)} at ${show(va)} before the guest's A/D bits allow it`
      }
    }
  }
  return undefined
}

/**
 * Runs `events` both ways from `host` and `regs`. Returns the first difference (outcome of an access,
 * a grant beyond the composition, or guest memory at the `watch` addresses after any event), or undefined.
 */
export const firstDifference = <R, A, F, G>(
  format: ShadowFormat<R, A, F, G>, host: PhysMemory, regs: R, options: ShadowOptions,
  events: readonly Event<R, A>[], tries: readonly A[], watch: readonly bigint[],
): { difference: string | undefined; state: ShadowState<R, A, G> } => {
  let nHost = host
  let nRegs = regs
  let s = shadowInit(format, host, regs, options)
  for (const [i, ev] of events.entries()) {
    switch (ev.kind) {
      case 'access': {
        const n = nestedAccess(format, nHost, nRegs, ev.va, ev.access, ev.data)
        const r = shadowAccess(format, s, ev.va, ev.access, ev.data)
        nHost = n.host
        s = r.state
        if (show(n.outcome) !== show(r.outcome)) {
          return { difference: `event ${i} (${show(ev)}): nested ${show(n.outcome)}, shadow (${r.path}) ${show(r.outcome)}`, state: s }
        }
        break
      }
      case 'fence': s = shadowFence(format, s, ev.scope); break
      case 'regs':
        nRegs = ev.regs
        s = shadowSetRegs(format, s, ev.regs)
        if (ev.then !== undefined) s = shadowFence(format, s, ev.then)
        break
      case 'prefill': s = shadowPrefill(format, s, ev.va, ev.access); break
      case 'dma': nHost = poke(nHost, phys(ev.hpa), ev.data.size, ev.data.value); s = shadowHostWrite(format, s, ev.hpa, ev.data); break
    }
    // The guest's watched memory (its descriptors: A/D and AF included) is the same after every event.
    for (const a of watch) {
      const x = peek(nHost, phys(a), 8), y = peek(s.host, phys(a), 8)
      if (x !== y) return { difference: `after event ${i} (${show(ev)}): guest memory at ${show(a)}: nested ${show(x)}, shadow ${show(y)}`, state: s }
    }
    if ((ev.kind === 'access' || ev.kind === 'dma') && ev.midUpdate === true) continue
    const g = grantsWithin(format, s, tries)
    if (g !== undefined) return { difference: `after event ${i} (${show(ev)}): ${g}`, state: s }
  }
  return { difference: undefined, state: s }
}

/**
 * Asserts a property over generated cases whose failure is a difference string: on failure, throws
 * with the shrunk case's difference (fast-check's own report does not carry it through uvu).
 */
export const assertNoDifference = <T>(arb: fc.Arbitrary<T>, differenceOf: (t: T) => string | undefined, numRuns: number): void => {
  const r = fc.check(fc.property(arb, (t) => differenceOf(t) === undefined), { numRuns })
  if (!r.failed) return
  const ce = r.counterexample
  const why = ce === null ? String(r.errorInstance) : differenceOf(ce[0])
  throw new Error(`${why}\n  (seed ${r.seed}, path ${r.counterexamplePath ?? ''}; replay with FC_SEED)`)
}
