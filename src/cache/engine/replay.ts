// Replaying a request stream through many cache configurations at once on the engine's kernels:
// `replaySource` of simulate.ts (chunks of requests renumbered densely once, then replayed through
// each configuration in its own tight loop), every configuration on its policy's kernel, in
// objects or in bytes, behind the admission front or not. properties/cache/engine.prop.ts proves
// it equal to `simulateSource` of the specification.
import type { Either } from '../../bits/either.ts'
import type { AdmissionOptions } from '../admission.ts'
import type { PolicyName } from '../policy.ts'
import { inPlaceRunner, replaySource, type Config, type Runner, type SimulateOptions, type Source, type Stats } from '../simulate.ts'
import { arcKernel } from './arc.ts'
import { beladyKernel } from './belady.ts'
import { clockKernel } from './clock.ts'
import { grownI32, grownU8, type Kernel, type KernelMaker } from './kernel.ts'
import { lfuKernel } from './lfu.ts'
import { lirsKernel } from './lirs.ts'
import { fifoKernel, lruKernel } from './lru.ts'
import { s3fifoKernel } from './s3fifo.ts'
import { sieveKernel } from './sieve.ts'
import { twoqKernel } from './twoq.ts'
import { wtinylfuKernel } from './wtinylfu.ts'

/** The policies with a hand-written kernel. */
export const KERNELS: Partial<Readonly<Record<PolicyName, KernelMaker>>> = {
  lru: lruKernel, fifo: fifoKernel, clock: clockKernel, lfu: lfuKernel, arc: arcKernel, twoq: twoqKernel,
  s3fifo: s3fifoKernel, sieve: sieveKernel, lirs: lirsKernel, belady: beladyKernel, wtinylfu: wtinylfuKernel,
}

/** A kernel without an admission front: every request may be inserted. */
const admitAll = (k: Kernel): Runner => {
  let all = new Uint8Array(0)
  return {
    reserve: (n) => k.reserve(n),
    run: (ids, next, origin, size, n) => {
      if (all.length < n) all = new Uint8Array(n).fill(1)
      return k.run(ids, next, origin, size, n, all)
    },
  }
}

/**
 * A kernel behind the admission front (admission.ts): the front's verdict depends on the requests
 * alone, so it is computed for a whole chunk — requests for each id among the last `window`
 * (a ring of the last `window` ids, grown as requests come, up to `window`) — before the kernel
 * replays it.
 */
const admitFront = (k: Kernel, o: AdmissionOptions): Runner => {
  let counts = new Int32Array(0)
  let ring = new Int32Array(0)
  let seen = 0
  let admit = new Uint8Array(0)
  return {
    reserve: (n) => {
      k.reserve(n)
      counts = grownI32(counts, n)
    },
    run: (ids, next, origin, size, n) => {
      admit = grownU8(admit, n)
      for (let j = 0; j < n; j++) {
        const id = ids[j] as number
        const slot = seen % o.window
        if (seen >= o.window) {
          const leaving = ring[slot] as number
          counts[leaving] = (counts[leaving] as number) - 1
        } else if (slot >= ring.length) ring = grownI32(ring, Math.min(o.window, slot + 1))
        ring[slot] = id
        const c = (counts[id] as number) + 1
        counts[id] = c
        admit[j] = c >= o.threshold ? 1 : 0
        seen++
      }
      return k.run(ids, next, origin, size, n, admit)
    },
  }
}

/** The runner of configuration `c`: its policy's kernel, behind the admission front when `c` has one. */
export const kernelOf = (c: Config): Runner => {
  const make = KERNELS[c.policy]
  if (make === undefined) return inPlaceRunner(c)
  const k = make(c.capacity, c.params ?? {})
  return c.admission === undefined ? admitAll(k) : admitFront(k, c.admission)
}

/** `simulateSource` of simulate.ts on the kernels: same arguments, same result. */
export const simulateSource = (configs: readonly Config[], source: Source, options: SimulateOptions = {}): Either<string, Stats[]> =>
  replaySource(configs, kernelOf, source, options)
