// The fast engine of the TLB (mmu/tlb.ts): misses walk with the number-only fast path (fast-walk.ts,
// which falls back to the readable walker), and pure functions of immutable objects — the hart's TLB
// key of a translation context, its context of a CSR file — are remembered. Both change speed only:
// properties/mmu/tlb.prop.ts runs the TLB under this engine against the readable walker.
import { type TlbConfig, type Tlb, type TlbEngine, emptyTlb, defaultTlbConfig, withEngine } from '../tlb.ts'
import { translate } from './fast-walk.ts'

// Per `make` function, per key object: the answers by slot. The most recent (make, key) pair is kept in
// variables too: consecutive accesses nearly always ask about the same CSR file or context.
const memos = new Map<unknown, WeakMap<object, unknown[]>>()
let lastMake: unknown
let lastKey: object | undefined
let lastSlots: unknown[] = []

const remember = <K extends object, A, V>(key: K, slot: number, arg: A, make: (key: K, slot: number, arg: A) => V): V => {
  let slots: unknown[] | undefined
  if (key === lastKey && make === lastMake) slots = lastSlots
  else {
    let byKey = memos.get(make)
    if (byKey === undefined) { byKey = new WeakMap(); memos.set(make, byKey) }
    slots = byKey.get(key)
    if (slots === undefined) { slots = []; byKey.set(key, slots) }
    lastMake = make
    lastKey = key
    lastSlots = slots
  }
  const known = slots[slot]
  if (known !== undefined) return known as V
  const v = make(key, slot, arg)
  slots[slot] = v
  return v
}

/** The fast engine: the fast walk on a miss, and memoised keys and contexts. */
export const fastEngine: TlbEngine = { walk: translate, remember }

/** An empty TLB refilled by the fast engine. */
export const fastTlb = (config: TlbConfig = defaultTlbConfig): Tlb => emptyTlb(config, fastEngine)

/** The same TLB (entries kept) under the fast engine. */
export const withFastEngine = (tlb: Tlb): Tlb => withEngine(tlb, fastEngine)
