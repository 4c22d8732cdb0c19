// The policy zoo, by libCacheSim CLI name.
import type { PolicyDef, PolicyName } from '../policy.ts'
import { arc } from './arc.ts'
import { belady } from './belady.ts'
import { clock } from './clock.ts'
import { lfu } from './lfu.ts'
import { lirs } from './lirs.ts'
import { fifo, lru } from './lru.ts'
import { s3fifo } from './s3fifo.ts'
import { sieve } from './sieve.ts'
import { twoq } from './twoq.ts'
import { wtinylfu } from './wtinylfu.ts'

export const POLICIES: Readonly<Record<PolicyName, PolicyDef>> = {
  lru, fifo, clock, lfu, arc, twoq, s3fifo, sieve, lirs, wtinylfu, belady,
}
