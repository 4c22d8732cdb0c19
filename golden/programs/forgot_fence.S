# forgot_fence: a kernel remaps a page and forgets SFENCE.VMA (the bug `memvirt run --tlb exact
# --report-stale` is for). S-mode reads VA 0x4000_0000 (page0 = 0xaaaa), points its leaf PTE at page1
# (0xbbbb) without a fence, reads again, makes a system call (ECALL to M-mode and back), reads again,
# and only then fences that address and reads once more. Until the fence either value is legal (Priv.
# ISA, "Supervisor Memory-Management Fence Instruction": a hart may use the old translation until an
# SFENCE.VMA orders the PTE store); so the program only checks the read after the fence (0xbbbb), and
# keeps the others in a1 (after the remap) and a2 (after the system call) for the commit log: Spike
# flushes its TLB on the trap (a2 = 0xbbbb), an architectural TLB need not (a2 = 0xaaaa). ISA: rv64ima_zicsr.
.include "prelude.inc"
.option norelax
.equ VA, 0x40000000
.section .text.init
.globl _start
_start:
  START
  PTE_NUM root, 2, 0x80000000, LEAF_RWX
  PTE_AT root, 1, l1, PTE_V
  PTE_AT l1, 0, l0, PTE_V
  PTE_AT l0, 0, page0, LEAF_RWX & ~PTE_X
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60               # Sv39, ASID 0
  or t0, t0, t1
  csrw satp, t0
  ENTER_S kernel
.section .text
kernel:
  CASE 1
  li s0, VA
  ld a0, 0(s0)                 # page0: 0xaaaa (the TLB now holds VA → page0)
  CHECK a0, 0xaaaa
  la t1, l0
  la t0, page1
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, LEAF_RWX & ~PTE_X
  sd t0, 0(t1)                 # remap VA → page1 ... and forget the fence
  ld a1, 0(s0)                 # stale (0xaaaa) on Spike and on an architectural TLB
  CASE 2
  EXPECT 1f
  li s8, 0
  ecall                        # a system call: to M-mode and back
1:
  ld a2, 0(s0)                 # Spike flushed on the trap: 0xbbbb; --tlb exact: still 0xaaaa
  CASE 3
  sfence.vma s0, zero          # the fence that was missing: this VA, every ASID
  ld a3, 0(s0)
  CHECK a3, 0xbbbb             # after the fence, only the new mapping is legal
  EXIT_PASS
.section .data
.align 12
page0: .dword 0xaaaa
.align 12
page1: .dword 0xbbbb
.section .bss
.align 12
root: .zero 4096
l1: .zero 4096
l0: .zero 4096
