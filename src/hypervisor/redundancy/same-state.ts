// When two machines hold the same state: what a standby must equal after a checkpoint commits. Memory by
// contents (a page never written reads as zero, so an all-zero page equals an absent one), everything
// else — hart and CSRs, TLB, HTIF, devices, platform timing, ISA and options — by structure.
import { type PhysMemory, PAGE_BYTES, pageAt, writtenPages } from '../../memory/memory.ts'
import { type Machine } from '../../machine/machine.ts'

/** Structural equality of plain data: records, arrays, typed arrays, sets (by members), bigints; functions by identity. */
export const sameData = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.byteLength !== b.byteLength) return false
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
    return x.every((v, i) => v === y[i])
  }
  if (a instanceof Set || b instanceof Set) return a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((x) => b.has(x))
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a), kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

const ZERO = new Uint8Array(PAGE_BYTES)
const bytesOf = (m: PhysMemory, pn: number): Uint8Array => {
  const v = pageAt(m, pn)
  return v === undefined ? ZERO : new Uint8Array(v.buffer, v.byteOffset, PAGE_BYTES)
}

/** The page numbers where two memories' contents differ (an unwritten page reads as zeros). */
export const differingPages = (a: PhysMemory, b: PhysMemory): readonly number[] => {
  const all = [...new Set([...writtenPages(a), ...writtenPages(b)])]
  return all.filter((pn) => { const x = bytesOf(a, pn), y = bytesOf(b, pn); return !x.every((v, i) => v === y[i]) })
}

/** Do `a` and `b` hold the same machine state (memory by contents)? */
export const sameMachine = (a: Machine, b: Machine): boolean =>
  differingPages(a.memory, b.memory).length === 0 && sameData(a.memory.map, b.memory.map) &&
  sameData(a.hart, b.hart) && sameData(a.tlb, b.tlb) && sameData(a.htif, b.htif) && sameData(a.devices, b.devices) &&
  sameData(a.platform, b.platform) && sameData(a.isa, b.isa) && sameData(a.options, b.options)
