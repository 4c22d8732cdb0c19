# spike_tlb: when does a translation go stale? Not an architectural question (without SFENCE.VMA either
# value is legal), so the program checks nothing itself; its commit log, compared with Spike's, pins
# down Spike's flush points: a remapped PTE is not seen until the next privilege change (here ECALL to M
# and MRET back), because Spike flushes its TLB and PTE cache there. ISA: rv64ima_zicsr.
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
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  ENTER_S kernel
.section .text
kernel:
  li s0, VA
  ld a0, 0(s0)            # page0: 0xaaaa
  la t1, l0
  la t0, page1
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, LEAF_RWX & ~PTE_X
  sd t0, 0(t1)            # remap without a fence
  ld a1, 0(s0)            # stale or not: whatever Spike does
  EXPECT 1f
  li s8, 0
  ecall                   # to M and back: Spike flushes on the privilege change
1: ld a2, 0(s0)
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
