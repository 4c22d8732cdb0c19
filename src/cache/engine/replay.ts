// Replaying a request stream through many cache configurations at once on the engine's kernels:
// `replaySource` of simulate.ts (chunks of requests renumbered densely once, then replayed through
// each configuration in its own tight loop) with a kernel for each configuration a kernel covers;
// the others (byte-sized caches, the admission front) run the specification's policy
// text on in-place storage. properties/cache/engine.prop.ts proves it equal to `simulateSource`.
import type { Either } from '../../bits/either.ts'
import type { PolicyName } from '../policy.ts'
import { inPlaceRunner, replaySource, type Config, type SimulateOptions, type Source, type Stats } from '../simulate.ts'
import { arcKernel } from './arc.ts'
import { beladyKernel } from './belady.ts'
import { clockKernel } from './clock.ts'
import type { Kernel, KernelMaker } from './kernel.ts'
import { lfuKernel } from './lfu.ts'
import { lirsKernel } from './lirs.ts'
import { fifoKernel, lruKernel } from './lru.ts'
import { s3fifoKernel } from './s3fifo.ts'
import { sieveKernel } from './sieve.ts'
import { twoqKernel } from './twoq.ts'
import { wtinylfuKernel } from './wtinylfu.ts'

/** The policies with a hand-written kernel (counting objects, without an admission front). */
export const KERNELS: Partial<Readonly<Record<PolicyName, KernelMaker>>> = {
  lru: lruKernel, fifo: fifoKernel, clock: clockKernel, lfu: lfuKernel, arc: arcKernel, twoq: twoqKernel,
  s3fifo: s3fifoKernel, sieve: sieveKernel, lirs: lirsKernel, belady: beladyKernel, wtinylfu: wtinylfuKernel,
}

/** The kernel that runs configuration `c`: hand-written when one covers it, else the specification's policy in place. */
export const kernelOf = (c: Config, bytes: boolean): Kernel => {
  const make = KERNELS[c.policy]
  return make === undefined || bytes || c.admission !== undefined ? inPlaceRunner(c) : make(c.capacity, c.params ?? {})
}

/** `simulateSource` of simulate.ts on the kernels: same arguments, same result. */
export const simulateSource = (configs: readonly Config[], source: Source, options: SimulateOptions = {}): Either<string, Stats[]> =>
  replaySource(configs, kernelOf, source, options)
