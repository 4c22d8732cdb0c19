# svadu: hardware A/D updating under Sv39 (Svadu; Priv. ISA §"Svadu" and the A/D rules of §"Virtual
# Address Translation Process" step 7). With menvcfg.ADUE = 0 an access to a leaf with A = 0 (or a store
# to one with D = 0) is a page fault (the Svade behaviour); with ADUE = 1 the hart sets A (and D on a store)
# in the PTE itself, and the access completes. ISA: rv64ima_zicsr_svadu.
.include "prelude.inc"
.option norelax

.equ VA, 0x40000000
.equ ADUE, 1 << 61

.section .text.init
.globl _start
_start:
  START
  la t0, svadu_mtrap
  csrw mtvec, t0

  CASE 1                         # menvcfg.ADUE is writable with Svadu
  li t0, ADUE
  csrs menvcfg, t0
  csrr a0, menvcfg
  CHECK a0, ADUE
  csrc menvcfg, t0

  PTE_NUM root, 2, 0x80000000, LEAF_RWX
  PTE_AT root, 1, l1, PTE_V
  PTE_AT l1, 0, l0, PTE_V
  PTE_AT l0, 0, page0, PTE_V | PTE_R | PTE_W                 # A = D = 0
  PTE_AT l0, 1, page1, PTE_V | PTE_R | PTE_W | PTE_A         # D = 0
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  li t0, (1 << 13) | (1 << 15)                               # page faults go to S; ECALL from S stays with M
  csrw medeleg, t0
  ENTER_S kernel

.section .text
kernel:
  CASE 2                         # ADUE = 0: A = 0 faults (13), D = 0 on a store faults (15); PTEs unchanged
  li s0, VA
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 13
  li s1, VA + 0x1000
  ld a0, 0(s1)
  CHECK a0, 0x1111
  EXPECT 1f
  sd a0, 8(s1)
  j fail
1: CHECK s2, 15
  la t0, l0
  ld a1, 0(t0)
  andi a1, a1, 0xff
  CHECK a1, PTE_V | PTE_R | PTE_W

  CASE 3                         # M turns ADUE on (S asks with ECALL, which M does not delegate)
  EXPECT 1f
  li s8, 0                       # M's handler returns to S
  ecall
1: CHECK s2, 9

  CASE 4                         # a load sets A only; a store sets A and D
  li s0, VA
  ld a0, 0(s0)
  CHECK a0, 0xaaaa
  la t0, l0
  ld a1, 0(t0)
  andi a1, a1, 0xff
  CHECK a1, PTE_V | PTE_R | PTE_W | PTE_A
  li a2, 0x55
  sd a2, 16(s0)
  ld a1, 0(t0)
  andi a1, a1, 0xff
  CHECK a1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  li s1, VA + 0x1000
  sd a2, 8(s1)                   # D = 0 → 1 on the second page
  ld a1, 8(t0)
  andi a1, a1, 0xff
  CHECK a1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  la t1, page0
  ld a3, 16(t1)
  CHECK a3, 0x55
  EXIT_PASS

# M handler for this program: an ECALL from S turns menvcfg.ADUE on; everything else as mtrap.
.align 2
svadu_mtrap:
  csrr t0, mcause
  li t1, 9
  bne t0, t1, mtrap
  li t0, ADUE
  csrs menvcfg, t0
  j mtrap

.section .data
.align 12
page0: .dword 0xaaaa, 0, 0
.align 12
page1: .dword 0x1111, 0

.section .bss
.align 12
root: .zero 4096
l1: .zero 4096
l0: .zero 4096
