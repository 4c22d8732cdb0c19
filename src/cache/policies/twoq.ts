// 2Q (Johnson & Shasha, VLDB '94) as libCacheSim TwoQ.c codes it, defaults `Ain-size-ratio=0.25,
// Aout-size-ratio=0.5`: Kin = ⌊0.25·c⌋ (FIFO A1in), Kout = ⌊0.5·c⌋ (FIFO ghost A1out), Am = c − Kin
// (LRU). A hit in A1in changes nothing; a miss that finds its id in A1out goes to Am, any other
// miss to A1in. Eviction takes A1in's tail (into A1out) while A1in holds more than Kin, else Am's
// tail. As in libCacheSim an object is admitted only if it fits in A1in, so c < 4 caches nothing.
import { access, NONE, param, type Access, type Policy, type PolicyDef } from '../policy.ts'
import type { Store } from '../store.ts'

type TwoQState<S> = {
  readonly ain: S
  readonly aout: S
  readonly am: S
  readonly capacity: number
  readonly kin: number
  readonly kout: number
}
const twoQState = <S>(ain: S, aout: S, am: S, capacity: number, kin: number, kout: number): TwoQState<S> =>
  ({ ain, aout, am, capacity, kin, kout })

const make = <S, T>(st: Store<S, T>, inRatio: number, outRatio: number): Policy<TwoQState<S>> => {
  const { seq } = st
  return {
    name: 'twoq',
    init: (capacity) =>
      twoQState(seq.empty(), seq.empty(), seq.empty(), capacity, Math.trunc(capacity * inRatio), Math.trunc(capacity * outRatio)),
    access: (s0, r, admit = true): Access<TwoQState<S>> => {
      const { capacity: c, kin, kout } = s0
      const id = r.id
      if (seq.has(s0.ain, id)) return access(s0, true, NONE)
      let { ain, aout, am } = s0
      const ghostHit = seq.has(aout, id)
      if (ghostHit) aout = seq.remove(aout, id)
      if (seq.has(am, id)) {
        return access(twoQState(ain, aout, seq.pushHead(seq.remove(am, id), id), c, kin, kout), true, NONE)
      }
      // TwoQ_can_insert: the object must fit in A1in. (libCacheSim's TwoQ ignores an admission
      // policy here; this model honours `admit`, so an admission front works with every policy.)
      if (1 > kin || !admit) return access(twoQState(ain, aout, am, c, kin, kout), false, NONE)
      const evicted: number[] = []
      while (seq.size(ain) + seq.size(am) + 1 > c) {
        if (seq.size(ain) > kin) {
          const v = seq.tail(ain) as number
          // Aout->get: a FIFO cache of its own (evicts its tail when full).
          if (!seq.has(aout, v) && kout >= 1) {
            while (seq.size(aout) + 1 > kout) aout = seq.remove(aout, seq.tail(aout) as number)
            aout = seq.pushHead(aout, v)
          }
          ain = seq.remove(ain, v)
          evicted.push(v)
        } else {
          const v = seq.tail(am) as number
          am = seq.remove(am, v)
          evicted.push(v)
        }
      }
      if (ghostHit) {
        // Am->get: an LRU cache of its own, capacity c − Kin.
        const amCap = c - kin
        if (amCap >= 1) {
          while (seq.size(am) + 1 > amCap) {
            const v = seq.tail(am) as number
            am = seq.remove(am, v)
            evicted.push(v)
          }
          am = seq.pushHead(am, id)
        }
      } else {
        ain = seq.pushHead(ain, id)
      }
      return access(twoQState(ain, aout, am, c, kin, kout), false, evicted)
    },
    resident: (s) => [...seq.toArray(s.ain), ...seq.toArray(s.am)],
    contains: (s, id) => seq.has(s.ain, id) || seq.has(s.am, id),
  }
}

export const twoq: PolicyDef = {
  name: 'twoq',
  defaults: { 'Ain-size-ratio': 0.25, 'Aout-size-ratio': 0.5 },
  make: (st, params) =>
    make(st, param(params, twoq.defaults, 'Ain-size-ratio'), param(params, twoq.defaults, 'Aout-size-ratio')),
}
