// Uncached page-table walk throughput: Sv39 single-stage walks/s and Sv39-over-Sv39x4 two-stage walks/s
// (4 KiB pages everywhere, so 3 and 15 memory references per walk), each against a baseline measured in
// the same run: the raw 8-byte memory reads (`peek`) the walk itself has to make. Printed, never asserted.
// Run: npm run bench mmu
import { phys, virt, guestVirt } from '../src/bits/address.ts'
import { emptyMemory, peek, pokeBytes, type PhysMemory } from '../src/memory/memory.ts'
import { defaultMemoryMap } from '../src/memory/memory-map.ts'
import { makePte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../src/mmu/pte.ts'
import { type TranslationContext } from '../src/mmu/translate.ts'
import { translate } from '../src/mmu/engine/fast-walk.ts'   // the hart's walker: the fast path wrapping the spec

const PAGES = 4096                               // distinct 4 KiB pages mapped, visited in scrambled order
const N = Number(process.env['BENCH_N'] ?? 300_000)
const LEAF = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
const GLEAF = LEAF | PTE_X | PTE_U

/** A 4 KiB table of 512 PTEs, entry i = pte(i) (0 = invalid). */
const table = (pte: (i: number) => bigint): Uint8Array => {
  const bytes = new Uint8Array(4096)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < 512; i++) view.setBigUint64(i * 8, pte(i), true)
  return bytes
}

/**
 * Writes a 3-level table tree mapping input pages [inBase, inBase + PAGES·4 KiB) one to one onto
 * output pages from outBase, with tables at physical addresses from `at` (the root first; `rootBytes`
 * is 16 KiB for an x4 root). `place` turns a table's own address into where its bytes live (identity,
 * or guest-physical → host-physical for VS tables) and `ref` what the parent PTE holds for it.
 */
const mapPages = (m0: PhysMemory, root: bigint, next: bigint, inBase: bigint, outBase: bigint, leaf: bigint, rootWidth: bigint, place: (a: bigint) => bigint): PhysMemory => {
  const vpn = (a: bigint, level: number): number => Number((a >> BigInt(12 + 9 * level)) & (level === 2 ? rootWidth - 1n : 0x1ffn))
  const rootIdx = vpn(inBase, 2)
  const l1Idx = vpn(inBase, 1)
  const l1 = next
  const l0s = Array.from({ length: PAGES / 512 }, (_, j) => next + 0x1000n * BigInt(j + 1))
  let m = m0
  const rootBytes = new Uint8Array(Number(rootWidth) * 8)
  new DataView(rootBytes.buffer).setBigUint64(rootIdx * 8, makePte(l1, PTE_V), true)
  m = pokeBytes(m, phys(place(root)), rootBytes)
  m = pokeBytes(m, phys(place(l1)), table((i) => (i >= l1Idx && i < l1Idx + l0s.length ? makePte(l0s[i - l1Idx]!, PTE_V) : 0n)))
  l0s.forEach((l0, j) => {
    m = pokeBytes(m, phys(place(l0)), table((i) => makePte(outBase + BigInt(j * 512 + i) * 0x1000n, leaf)))
  })
  return m
}

const off = { sum: false, mxr: false }
const noEnv = { adue: false, pbmte: false }
const baseCtx: TranslationContext = {
  priv: 'S', virt: false, satp: 0n, vsatp: 0n, hgatp: 0n,
  mstatus: off, vsstatus: off, menvcfg: noEnv, henvcfg: noEnv, svnapot: false,
}

// Single stage: Sv39 root at 0x8000_0000, VA 0x4000_0000.. → PA 0x9000_0000..
const S_ROOT = 0x8000_0000n
const sMem = mapPages(emptyMemory(defaultMemoryMap), S_ROOT, 0x8000_1000n, 0x4000_0000n, 0x9000_0000n, LEAF, 512n, (a) => a)
const sCtx: TranslationContext = { ...baseCtx, satp: (8n << 60n) | (S_ROOT >> 12n) }

// Two stage: the G-stage (16 KiB Sv39x4 root at 0x8100_0000) maps GPA 0..16 MiB → PA 0xa000_0000..;
// the VS tables live at GPAs 0x10_0000.. (so at PA 0xa010_0000..) and map GVA 0x4000_0000.. → GPA 0..
const G_ROOT = 0x8100_0000n
const G_OUT = 0xa000_0000n
let vMem = mapPages(emptyMemory(defaultMemoryMap), G_ROOT, 0x8100_4000n, 0n, G_OUT, GLEAF, 2048n, (a) => a)
vMem = mapPages(vMem, 0x10_0000n, 0x10_1000n, 0x4000_0000n, 0n, LEAF, 512n, (gpa) => G_OUT + gpa)
const vCtx: TranslationContext = {
  ...baseCtx, virt: true, vsatp: (8n << 60n) | (0x10_0000n >> 12n), hgatp: (8n << 60n) | (G_ROOT >> 12n),
}

// Visit the pages in a scrambled but fixed order (odd multiplier mod PAGES), each at a varying offset.
const vaBits = Array.from({ length: PAGES }, (_, i) => 0x4000_0000n + BigInt((i * 2_654_435_761) % PAGES) * 0x1000n + BigInt((i * 8) & 0xff8))
const vas = vaBits.map(virt)
const gvas = vaBits.map(guestVirt)
const pteAddrs = vaBits.map((va) => phys(0x8000_2000n + ((va - 0x4000_0000n) >> 12n) * 8n))

/** Seconds for f(n). */
const seconds = (f: (n: number) => number, n: number): number => {
  const t0 = process.hrtime.bigint()
  if (f(n) < 0) throw new Error('unreachable: checksums are non-negative')
  return Number(process.hrtime.bigint() - t0) / 1e9
}
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const check = (ctx: TranslationContext, va: bigint, refs: number): void => {
  const o = translate(ctx.virt ? vMem : sMem, ctx, { va: ctx.virt ? guestVirt(va) : virt(va), access: 'load' })
  if (o.result._tag !== 'Right' || o.refs !== refs) throw new Error(`bench set-up is wrong: ${JSON.stringify(o.result._tag)} refs ${o.refs}`)
}
check(sCtx, vaBits[1]!, 3)
check(vCtx, vaBits[1]!, 15)

const series: readonly { label: string; unit: string; f: (n: number) => number }[] = [
  {
    label: 'baseline: raw 8-byte PTE reads (peek)', unit: 'reads', f: (n) => {
      let sum = 0
      for (let i = 0; i < n; i++) sum += Number(peek(sMem, pteAddrs[i % PAGES]!, 8) & 0xffn)
      return sum
    },
  },
  {
    label: 'Sv39 single-stage walks (3 refs)', unit: 'walks', f: (n) => {
      let sum = 0
      for (let i = 0; i < n; i++) sum += translate(sMem, sCtx, { va: vas[i % PAGES]!, access: 'load' }).refs
      return sum
    },
  },
  {
    label: 'Sv39 over Sv39x4 two-stage walks (15 refs)', unit: 'walks', f: (n) => {
      let sum = 0
      for (let i = 0; i < n; i++) sum += translate(vMem, vCtx, { va: gvas[i % PAGES]!, access: 'load' }).refs
      return sum
    },
  },
]

// The machine is shared: the series run in alternating rounds and are compared by their medians.
const ROUNDS = 5
console.log(`${ROUNDS} alternating rounds of ${N} operations per series over ${PAGES} distinct pages, 4 KiB pages in every stage; node ${process.version}`)
for (const s of series) s.f(Math.min(N, 200_000))                   // warm-up
const rates = series.map(() => [] as number[])
for (let r = 0; r < ROUNDS; r++) series.forEach((s, k) => rates[k]!.push(N / seconds(s.f, N)))
const [reads, single, two] = rates.map(median) as [number, number, number]
series.forEach((s, k) => console.log(`${s.label.padEnd(44)} ${(median(rates[k]!) / 1e6).toFixed(3).padStart(7)} M ${s.unit}/s  (median; rounds ${rates[k]!.map((x) => (x / 1e6).toFixed(2)).join(' ')})`))
console.log(`single-stage walk cost = ${(reads / single).toFixed(1)} raw PTE reads (3 are needed)`)
console.log(`two-stage walk cost    = ${(reads / two).toFixed(1)} raw PTE reads (15 are needed); ${(single / two).toFixed(2)}× a single-stage walk (5× by reference count)`)
console.log(`goal two-stage ≥ 1 M walks/s: ${two >= 1e6 ? 'met' : `not met (${(two / 1e6).toFixed(2)} M/s)`}`)
