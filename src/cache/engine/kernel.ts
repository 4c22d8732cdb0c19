// The cache engine: each policy of src/cache/policies/ hand-translated into a kernel over typed
// arrays indexed by dense object ids (0, 1, 2, … in order of first appearance), mutated in place,
// allocating nothing per request. A kernel wraps the specification, never the other way round:
// properties/cache/engine.prop.ts proves every kernel's hit on every request equal to folding the
// policy's pure `access`. A kernel counts bytes: every request carries its size (1 in a cache
// sized in objects, where bytes and objects coincide), and an object keeps the size it was
// inserted with. The admission front's verdict on each request comes in as a flag (replay.ts
// computes it: it depends on the requests alone, never on what the cache holds).
import type { Params, PolicyName } from '../policy.ts'

/** One configured cache replaying chunks of requests in place (a `Runner` of simulate.ts once the admission flags are supplied). */
export interface Kernel {
  /** Makes room for dense ids below `n` (called before `run` whenever new ids appeared). */
  reserve(n: number): void
  /**
   * Replays requests 0 … n − 1 of a chunk in order and returns how many missed: `ids` dense,
   * `next` each request's next request (Belady), `origin` the id W-TinyLFU hashes, `size` each
   * request's size in bytes (1 when the cache counts objects), `admit` 0 where an admission front
   * vetoes inserting the request's object on a miss (the policy's `admit = false`), else 1.
   */
  run(ids: Int32Array, next: Float64Array, origin: Float64Array, size: Float64Array, n: number, admit: Uint8Array): number
}

/** A kernel's constructor: capacity (objects, or bytes) and the policy's parameters (already range-checked). */
export type KernelMaker = (capacity: number, params: Params) => Kernel

/** Capacity `n` rounded up for an array that must hold index `k`: doubling, at least 1024. */
export const roomFor = (len: number, k: number): number => Math.max(k + 1, len * 2, 1024)

/** Typed arrays grown to hold index n − 1, their old contents kept and the rest filled with `fill`. */
export const grownI32 = (a: Int32Array<ArrayBuffer>, n: number, fill = 0): Int32Array<ArrayBuffer> => {
  if (n <= a.length) return a
  const b = new Int32Array(roomFor(a.length, n - 1))
  b.set(a)
  if (fill !== 0) b.fill(fill, a.length)
  return b
}
export const grownU8 = (a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> => {
  if (n <= a.length) return a
  const b = new Uint8Array(roomFor(a.length, n - 1))
  b.set(a)
  return b
}
export const grownF64 = (a: Float64Array<ArrayBuffer>, n: number, fill = 0): Float64Array<ArrayBuffer> => {
  if (n <= a.length) return a
  const b = new Float64Array(roomFor(a.length, n - 1))
  b.set(a)
  if (fill !== 0) b.fill(fill, a.length)
  return b
}

const NIL = -1

/**
 * The size each object was inserted with (bytes; 1 in a cache counting objects), by dense id:
 * one table shared by a kernel's queues, since an object keeps its size from queue to queue
 * (ghost lists included) until it leaves them all.
 */
export class SizeTable {
  of = new Float64Array(0)

  reserve(n: number): void {
    this.of = grownF64(this.of, n)
  }
}

/**
 * libCacheSim's intrusive queue over dense ids: insert at the head, evict at the tail; `newer[k]`
 * is its `queue.prev` (toward the head). A key is in the queue iff `member[k] = 1`. Every key must
 * be below the length last `reserve`d. `size` counts keys, `used` adds up their sizes in `sizes`
 * (set a key's size there before pushing it; it must not change while the key is queued).
 */
export class IdQueue {
  newer = new Int32Array(0)
  older = new Int32Array(0)
  member = new Uint8Array(0)
  head = NIL
  tail = NIL
  size = 0
  used = 0

  constructor(readonly sizes: SizeTable = new SizeTable()) {}

  reserve(n: number): void {
    this.sizes.reserve(n)
    if (n <= this.member.length) return
    this.newer = grownI32(this.newer, n)
    this.older = grownI32(this.older, n)
    this.member = grownU8(this.member, n)
  }

  has(k: number): boolean {
    return this.member[k] === 1
  }

  pushHead(k: number): void {
    this.link(k)
    this.member[k] = 1
    this.size++
    this.used += this.sizes.of[k] as number
  }

  /** Removes `k`, which must be in the queue. */
  remove(k: number): void {
    this.unlink(k)
    this.member[k] = 0
    this.size--
    this.used -= this.sizes.of[k] as number
  }

  /** Moves `k` (in the queue) to the head. */
  toHead(k: number): void {
    if (this.head === k) return
    this.unlink(k)
    this.link(k)
  }

  private link(k: number): void {
    this.newer[k] = NIL
    this.older[k] = this.head
    if (this.head !== NIL) this.newer[this.head] = k
    else this.tail = k
    this.head = k
  }

  private unlink(k: number): void {
    const n = this.newer[k] as number
    const o = this.older[k] as number
    if (n !== NIL) this.older[n] = o
    else this.head = o
    if (o !== NIL) this.newer[o] = n
    else this.tail = n
  }

  /** Removes and returns the tail (the queue must not be empty). */
  popTail(): number {
    const t = this.tail
    this.remove(t)
    return t
  }

  /** The key one step toward the head from `k`, or −1 (`queue.prev`). */
  towardHead(k: number): number {
    return this.newer[k] as number
  }
}

export const isNil = (k: number): boolean => k === NIL
export type { PolicyName }
