# pte_cache: what Spike's PTE cache makes visible when a kernel rewrites a live page-table pointer without a
# fence (memvirt's src/mmu/pte-cache.ts). Spike's walker keeps the last valid PTE read at each of 251 slots,
# chosen by the PTE's physical address mod 251, and uses the kept value on the next walk that reads that
# address; a store to the table does not touch it, a trap or fence empties it. The tables sit at fixed
# addresses so the slots can be worked out by hand: root 0x8010_0000, l1 0x8010_1000, l0 0x8010_2000.
#   l1[0] at 0x8010_1000: 0x8010_1000 mod 251 = 165   (0x8010_1000 = 2 148 536 320 = 251 · 8 559 905 + 165)
#   l0[k] at 0x8010_2000 + 8k: (245 + 8k) mod 251, so l0[241] (+1928) is slot 165 too; l0[0..2]: 245, 2, 10
#   root[1], root[2]: 93, 101
# S-mode reads VA 0x4000_0000 (page0), which keeps root[1], l1[0] and l0[0]. It then zeroes l1[0] (the pointer
# to l0) without a fence and reads VA 0x4000_1000, never read before: Spike walks through the kept l1[0] and
# reads page1 (a1 = 0xbbbb); an architectural walk of memory faults (legal too: the hart may or may not use
# the old pointer until a fence). Next it reads VA 0x400f_1000 through l0[241], whose slot is l1[0]'s: on
# Spike the kept (stale) l1[0] leads there (a2 = 0xcccc) and l0[241] then evicts it, so the read of VA
# 0x4000_2000 after it walks memory's zeroed l1[0] and takes a load page fault (s2 = 13). Each of these reads
# may fault instead (EXPECT), and only the read after the fence that orders the repair is checked.
# ISA: rv64ima_zicsr.
.include "prelude.inc"
.option norelax
.equ VA, 0x40000000
.equ ROOT, 0x80100000
.equ L1, 0x80101000
.equ L0, 0x80102000
.equ PAGE0, 0x80103000
.equ PAGE1, 0x80104000
.equ PAGE2, 0x80105000
.equ PAGE3, 0x80106000
# SET_PTE table, index, pa, flags: table[index] = the PTE of physical address pa (all numbers).
.macro SET_PTE table, index, pa, flags
  li t0, ((\pa) >> 12) << 10 | (\flags)
  li t1, (\table) + (\index) * 8
  sd t0, 0(t1)
.endm
.section .text.init
.globl _start
_start:
  START
  SET_PTE ROOT, 2, 0x80000000, LEAF_RWX       # the code, tohost and everything below 0xc000_0000: a gigapage
  SET_PTE ROOT, 1, L1, PTE_V                  # VA 0x4000_0000: root[1] → l1 → l0
  SET_PTE L1, 0, L0, PTE_V
  SET_PTE L0, 0, PAGE0, LEAF_RWX & ~PTE_X
  SET_PTE L0, 1, PAGE1, LEAF_RWX & ~PTE_X
  SET_PTE L0, 2, PAGE3, LEAF_RWX & ~PTE_X
  SET_PTE L0, 241, PAGE2, LEAF_RWX & ~PTE_X
  li t0, 0xaaaa
  li t1, PAGE0
  sd t0, 0(t1)
  li t0, 0xbbbb
  li t1, PAGE1
  sd t0, 0(t1)
  li t0, 0xcccc
  li t1, PAGE2
  sd t0, 0(t1)
  li t0, 0xdddd
  li t1, PAGE3
  sd t0, 0(t1)
  li t0, (ROOT >> 12) | (8 << 60)             # Sv39, ASID 0
  csrw satp, t0
  ENTER_S kernel
.section .text
kernel:
  CASE 1
  li s0, VA
  ld a0, 0(s0)                 # page0: keeps root[1], l1[0] and l0[0]
  CHECK a0, 0xaaaa
  CASE 2
  li t1, L1
  sd zero, 0(t1)               # l1[0] = 0: VA 0x4000_0000..0x401f_ffff unmapped ... without a fence
  li a1, 0
  li s2, 0
  EXPECT 1f
  li t0, VA + 0x1000
  ld a1, 0(t0)                 # page1 through the kept l1[0] (Spike: 0xbbbb), or a page fault
1:
  mv s10, s2                   # the cause if it faulted
  li s5, 0
  CASE 3
  li a2, 0
  li s2, 0
  EXPECT 1f
  li t0, 241 << 12
  add t0, s0, t0
  ld a2, 0(t0)                 # page2 through l0[241] (Spike: 0xcccc), which evicts the kept l1[0]
1:
  mv s11, s2
  li s5, 0
  CASE 4
  li a3, 0
  li s2, 0
  EXPECT 1f
  li t0, VA + 0x2000
  ld a3, 0(t0)                 # Spike: l1[0] read from memory now: a load page fault (s2 = 13)
1:
  mv a4, s2
  li s5, 0
  CASE 5
  li t0, ((L0 >> 12) << 10) | PTE_V
  li t1, L1
  sd t0, 0(t1)                 # the pointer back ...
  sfence.vma s0, zero          # ... and the fence that orders it
  li t0, VA + 0x2000
  ld a5, 0(t0)
  CHECK a5, 0xdddd             # after the fence only the repaired tables are legal
  EXIT_PASS
