// The QBic-style frequency admission front (after the in-hypervisor block cache "QBic" for
// QEMU/KVM, which caches only blocks accessed often, to cut VMs' I/O contention): a missed object
// is admitted into the cache only when it has been requested at least `threshold` times among
// the last `window` requests (this request included). Hits always go to the inner policy.
// With threshold 1 the front admits everything and the inner policy is unchanged.
import { access, type Access, type Policy, type Req } from './policy.ts'
import type { Store } from './store.ts'

export type AdmissionOptions = {
  /** How many of the most recent requests the frequency is counted over (≥ 1). */
  readonly window: number
  /** Requests within the window needed to admit (≥ 1). */
  readonly threshold: number
}

type FrontState<I, T> = {
  readonly inner: I
  /** id → requests for it among the last `window` requests. */
  readonly counts: T
  /** slot (request index mod window) → id of that request. */
  readonly ring: T
  /** Requests seen so far. */
  readonly n: number
}
const frontState = <I, T>(inner: I, counts: T, ring: T, n: number): FrontState<I, T> => ({ inner, counts, ring, n })

/** Wraps `inner` (built over `store`) with the frequency admission front. */
export const withAdmission = <S, T>(
  store: Store<S, T>,
  inner: Policy<unknown>,
  o: AdmissionOptions,
): Policy<FrontState<unknown, T>> => {
  const { tab } = store
  return {
    name: inner.name,
    init: (capacity) => frontState(inner.init(capacity), tab.empty(), tab.empty(), 0),
    access: (s0, r: Req): Access<FrontState<unknown, T>> => {
      // Slide the window: the request `window` steps back leaves, this one enters.
      const slot = s0.n % o.window
      let counts = s0.counts
      const leaving = s0.n >= o.window ? tab.get(s0.ring, slot) : undefined
      if (leaving !== undefined) {
        const c = (tab.get(counts, leaving) ?? 1) - 1
        counts = c === 0 ? tab.del(counts, leaving) : tab.set(counts, leaving, c)
      }
      const count = (tab.get(counts, r.id) ?? 0) + 1
      counts = tab.set(counts, r.id, count)
      const ring = tab.set(s0.ring, slot, r.id)
      const a = inner.access(s0.inner, r, count >= o.threshold)
      return access(frontState(a.state, counts, ring, s0.n + 1), a.hit, a.evicted)
    },
    resident: (s) => inner.resident(s.inner),
    contains: (s, id) => inner.contains(s.inner, id),
  }
}
