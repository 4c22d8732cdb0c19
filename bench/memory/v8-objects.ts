// The experiment behind memory.ts's design: what V8 (Node 20) spends on many small objects of the kinds a
// page could be made of. For each kind, N live objects are made; printed: resident memory and heap per
// object after a full GC, and the time of one full GC with them live. Run one kind per process:
//   node --expose-gc --import tsx bench/memory/v8-objects.ts KIND [N]
// KIND: smi64 (a 64-word int32 array, the 256-byte chunk memory.ts used), smi1024 (a whole page as one),
// i32x64 and i32x1024 (Int32Arrays), dv4k (a DataView over its own 4 KiB ArrayBuffer, a loader's page),
// slabview (an Int32Array view into a shared 1 MiB slab), slab (a page in a shared slab, no object).
// Results and what was chosen from them: bench/memory/README.md.
const kinds: Record<string, () => () => unknown> = {
  smi64: () => () => { const a: number[] = []; for (let i = 0; i < 64; i++) a.push(i | 0); return a.slice() },
  smi1024: () => () => { const a: number[] = []; for (let i = 0; i < 1024; i++) a.push(i | 0); return a.slice() },
  i32x64: () => () => new Int32Array(64).fill(1),
  i32x1024: () => () => new Int32Array(1024).fill(1),
  dv4k: () => () => { const b = new Uint8Array(4096).fill(1); return new DataView(b.buffer) },
  slabview: () => {
    let slab = new Int32Array(0), at = 256
    return () => {
      if (at === 256) { slab = new Int32Array(256 * 1024); at = 0 }
      return slab.subarray(1024 * at, 1024 * ++at).fill(1)
    }
  },
  slab: () => {
    const slabs: Int32Array[] = []
    let at = 256
    return () => {
      if (at === 256) { slabs.push(new Int32Array(256 * 1024)); at = 0 }
      slabs[slabs.length - 1]!.fill(1, 1024 * at, 1024 * ++at)
      return at
    }
  },
}
const kind = process.argv[2] ?? ''
const make = kinds[kind]?.()
const gc = (globalThis as { gc?: () => void }).gc
if (make === undefined || gc === undefined) {
  console.error(`usage: node --expose-gc --import tsx bench/memory/v8-objects.ts ${Object.keys(kinds).join('|')} [N]`)
  process.exit(2)
}
const n = Number(process.argv[3] ?? 262_144)
gc(); gc()
const before = process.memoryUsage()
const keep: unknown[] = new Array<unknown>(n)
for (let i = 0; i < n; i++) keep[i] = make()
keep.push(make)                                   // the slab kinds' slabs live in its closure
gc(); gc()
const after = process.memoryUsage()
const t0 = process.hrtime.bigint()
for (let i = 0; i < 5; i++) gc()
const fullGcMs = Number(process.hrtime.bigint() - t0) / 5e6
const per = (k: 'rss' | 'heapUsed' | 'arrayBuffers'): string => ((after[k] - before[k]) / n).toFixed(0).padStart(6)
console.log(`${kind.padEnd(9)} n=${n}: RSS ${per('rss')} B, V8 heap ${per('heapUsed')} B, ArrayBuffers ${per('arrayBuffers')} B per object; full GC ${fullGcMs.toFixed(1)} ms (${n} live)`)
