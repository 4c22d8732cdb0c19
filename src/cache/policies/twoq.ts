// 2Q (Johnson & Shasha, VLDB '94) as libCacheSim TwoQ.c codes it, defaults `Ain-size-ratio=0.25,
// Aout-size-ratio=0.5`: Kin = ⌊0.25·c⌋ (FIFO A1in), Kout = ⌊0.5·c⌋ (FIFO ghost A1out), Am = c − Kin
// (LRU). A hit in A1in changes nothing; a miss that finds its id in A1out goes to Am, any other
// miss to A1in. Eviction takes A1in's tail (into A1out) while A1in holds more than Kin, else Am's
// tail. As in libCacheSim an object is admitted only if it fits in A1in, so c < 4 caches nothing.
// Sized in objects, or in bytes when requests carry sizes (Kin, Kout, c and the queues in bytes).
import { access, forgetSize, NONE, rememberSize, sizeOf, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type TwoQState<S, T> = {
  readonly ain: S
  readonly aout: S
  readonly am: S
  /** Bytes (or objects) in A1in, A1out, Am; sizes that are not 1, for entries of all three. */
  readonly nin: number
  readonly nout: number
  readonly nm: number
  readonly sizes: T
  readonly capacity: number
  readonly kin: number
  readonly kout: number
}

// The working copy of one miss: a fresh record, updated in place within that access only.
type Work<S, T> = { ain: S; aout: S; am: S; nin: number; nout: number; nm: number; sizes: T; readonly evicted: number[] }

const make = <S, T>(st: Store<S, T>, inRatio: number, outRatio: number): Policy<TwoQState<S, T>> => {
  const { seq, tab } = st
  const state = (w: Work<S, T>, s0: TwoQState<S, T>): TwoQState<S, T> =>
    ({ ain: w.ain, aout: w.aout, am: w.am, nin: w.nin, nout: w.nout, nm: w.nm, sizes: w.sizes, capacity: s0.capacity, kin: s0.kin, kout: s0.kout })
  // Am's tail leaves the cache.
  const evictAm = (w: Work<S, T>): void => {
    const v = seq.tail(w.am) as number
    w.am = seq.remove(w.am, v)
    w.nm -= sizeOf(tab, w.sizes, v)
    w.sizes = forgetSize(tab, w.sizes, v)
    w.evicted.push(v)
  }
  // A1in's tail leaves the cache into A1out (Aout->get: a FIFO cache of ids of its own).
  const evictAin = (w: Work<S, T>, kout: number): void => {
    const v = seq.tail(w.ain) as number
    const size = sizeOf(tab, w.sizes, v)
    w.ain = seq.remove(w.ain, v)
    w.nin -= size
    w.evicted.push(v)
    if (seq.has(w.aout, v)) return
    if (size > kout) {
      w.sizes = forgetSize(tab, w.sizes, v)
      return
    }
    while (w.nout + size > kout) {
      const g = seq.tail(w.aout) as number
      w.aout = seq.remove(w.aout, g)
      w.nout -= sizeOf(tab, w.sizes, g)
      w.sizes = forgetSize(tab, w.sizes, g)
    }
    w.aout = seq.pushHead(w.aout, v)
    w.nout += size
  }
  return {
    name: 'twoq',
    init: (capacity) => ({
      ain: seq.empty(), aout: seq.empty(), am: seq.empty(), nin: 0, nout: 0, nm: 0, sizes: tab.empty(),
      capacity, kin: Math.trunc(capacity * inRatio), kout: Math.trunc(capacity * outRatio),
    }),
    access: (s0, r, admit = true): Access<TwoQState<S, T>> => {
      const { capacity: c, kin, kout } = s0
      const id = r.id
      if (seq.has(s0.ain, id)) return access(s0, true, NONE)
      const w: Work<S, T> = { ain: s0.ain, aout: s0.aout, am: s0.am, nin: s0.nin, nout: s0.nout, nm: s0.nm, sizes: s0.sizes, evicted: [] }
      const ghostHit = seq.has(w.aout, id)
      if (ghostHit) {
        w.aout = seq.remove(w.aout, id)
        w.nout -= sizeOf(tab, w.sizes, id)
        w.sizes = forgetSize(tab, w.sizes, id)
      }
      if (seq.has(w.am, id)) {
        w.am = seq.pushHead(seq.remove(w.am, id), id)
        return access(state(w, s0), true, NONE)
      }
      const size = r.size ?? 1
      // TwoQ_can_insert: the object must fit in A1in. (libCacheSim's TwoQ ignores an admission
      // policy here; this model honours `admit`, so an admission front works with every policy.)
      if (size > kin || !admit) return access(state(w, s0), false, NONE)
      while (w.nin + w.nm + size > c) {
        // libCacheSim evicts from Am here even when Am is empty, and cachesim then crashes (with
        // Ain-size-ratio 1, or in bytes above 0.5 when A1in holds Kin and the newcomer does not fit
        // beside it); this model evicts A1in's tail instead, the only object left to evict
        if (w.nin > kin || seq.size(w.am) === 0) evictAin(w, kout)
        else evictAm(w)
      }
      if (ghostHit) {
        // Am->get: an LRU cache of its own, capacity c − Kin.
        const amCap = c - kin
        if (size > amCap) return access(state(w, s0), false, w.evicted)
        while (w.nm + size > amCap) evictAm(w)
        w.am = seq.pushHead(w.am, id)
        w.nm += size
      } else {
        w.ain = seq.pushHead(w.ain, id)
        w.nin += size
      }
      w.sizes = rememberSize(tab, w.sizes, id, size)
      return access(state(w, s0), false, w.evicted)
    },
    resident: (s) => [...seq.toArray(s.ain), ...seq.toArray(s.am)],
    contains: (s, id) => seq.has(s.ain, id) || seq.has(s.am, id),
  }
}

export const twoq: PolicyDef = {
  name: 'twoq',
  defaults: { 'Ain-size-ratio': 0.25, 'Aout-size-ratio': 0.5 },
  // A1in is a part of the cache; A1out a ghost list of any multiple of its ids.
  ranges: { 'Ain-size-ratio': { min: 0, max: 1 }, 'Aout-size-ratio': { min: 0, max: Infinity } },
  make: (st, params) =>
    make(st, param(params, twoq.defaults, 'Ain-size-ratio'), param(params, twoq.defaults, 'Aout-size-ratio')),
}
