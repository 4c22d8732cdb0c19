// A persistent ordered map from numbers to values (an AVL tree with path copying): every update
// returns a new map sharing all untouched nodes with the old one, which stays valid. O(log n) per
// operation. It is the pure storage behind every policy's queues and tables.

/** An AVL node; `undefined` is the empty map. */
export type PMap<V> = Node<V> | undefined
type Node<V> = {
  readonly k: number
  readonly v: V
  readonly l: PMap<V>
  readonly r: PMap<V>
  readonly h: number
  readonly n: number // number of entries in this subtree
}

const height = <V>(t: PMap<V>): number => (t === undefined ? 0 : t.h)
/** Number of entries. */
export const size = <V>(t: PMap<V>): number => (t === undefined ? 0 : t.n)

const node = <V>(k: number, v: V, l: PMap<V>, r: PMap<V>): Node<V> => ({
  k, v, l, r,
  h: Math.max(height(l), height(r)) + 1,
  n: size(l) + size(r) + 1,
})

// The four AVL rotations, folded into one rebalance after each path copy.
const balance = <V>(k: number, v: V, l: PMap<V>, r: PMap<V>): Node<V> => {
  const hl = height(l)
  const hr = height(r)
  if (hl > hr + 1 && l !== undefined) {
    if (height(l.l) >= height(l.r)) return node(l.k, l.v, l.l, node(k, v, l.r, r))
    const lr = l.r as Node<V>
    return node(lr.k, lr.v, node(l.k, l.v, l.l, lr.l), node(k, v, lr.r, r))
  }
  if (hr > hl + 1 && r !== undefined) {
    if (height(r.r) >= height(r.l)) return node(r.k, r.v, node(k, v, l, r.l), r.r)
    const rl = r.l as Node<V>
    return node(rl.k, rl.v, node(k, v, l, rl.l), node(r.k, r.v, rl.r, r.r))
  }
  return node(k, v, l, r)
}

/** The value stored under `k`, if any. */
export const get = <V>(t: PMap<V>, k: number): V | undefined => {
  let c = t
  while (c !== undefined) {
    if (k === c.k) return c.v
    c = k < c.k ? c.l : c.r
  }
  return undefined
}

/** Whether `k` has a value. */
export const has = <V>(t: PMap<V>, k: number): boolean => {
  let c = t
  while (c !== undefined) {
    if (k === c.k) return true
    c = k < c.k ? c.l : c.r
  }
  return false
}

/** The map with `k` bound to `v` (replacing any old value). */
export const set = <V>(t: PMap<V>, k: number, v: V): Node<V> => {
  if (t === undefined) return node(k, v, undefined, undefined)
  if (k === t.k) return node(k, v, t.l, t.r)
  return k < t.k ? balance(t.k, t.v, set(t.l, k, v), t.r) : balance(t.k, t.v, t.l, set(t.r, k, v))
}

const removeMin = <V>(t: Node<V>): PMap<V> =>
  t.l === undefined ? t.r : balance(t.k, t.v, removeMin(t.l), t.r)

/** The map without `k` (unchanged if `k` is absent). */
export const remove = <V>(t: PMap<V>, k: number): PMap<V> => {
  if (t === undefined) return undefined
  if (k < t.k) return balance(t.k, t.v, remove(t.l, k), t.r)
  if (k > t.k) return balance(t.k, t.v, t.l, remove(t.r, k))
  if (t.l === undefined) return t.r
  if (t.r === undefined) return t.l
  const m = minNode(t.r)
  return balance(m.k, m.v, t.l, removeMin(t.r))
}

const minNode = <V>(t: Node<V>): Node<V> => {
  let c = t
  while (c.l !== undefined) c = c.l
  return c
}

/** The entry with the smallest key, if any. */
export const min = <V>(t: PMap<V>): { readonly k: number; readonly v: V } | undefined =>
  t === undefined ? undefined : minNode(t)

/** The entry with the largest key, if any. */
export const max = <V>(t: PMap<V>): { readonly k: number; readonly v: V } | undefined => {
  let c = t
  if (c === undefined) return undefined
  while (c.r !== undefined) c = c.r
  return c
}

/** The entry with the smallest key strictly greater than `k`, if any. */
export const successor = <V>(t: PMap<V>, k: number): { readonly k: number; readonly v: V } | undefined => {
  let c = t
  let best: Node<V> | undefined
  while (c !== undefined) {
    if (c.k > k) {
      best = c
      c = c.l
    } else c = c.r
  }
  return best
}

/** Every entry in ascending key order. */
export const entries = <V>(t: PMap<V>): Array<readonly [number, V]> => {
  const out: Array<readonly [number, V]> = []
  const walk = (c: PMap<V>): void => {
    if (c === undefined) return
    walk(c.l)
    out.push([c.k, c.v])
    walk(c.r)
  }
  walk(t)
  return out
}
