# misaligned: loads and stores that are not naturally aligned, performed by the hart as Spike does with
# Zicclsm (riscv/mmu.cc: the part in the first page, then the rest), including one that crosses the end
# of RAM: it faults on the second part (store access fault 7; Spike's tval is the address of that part)
# after the first part was written (Spike keeps it; the spec allows either). AMOs and LR still need alignment: with Zicclsm
# a misaligned AMO is a store access fault (7) and a misaligned LR a load access fault (5).
# ISA: rv64ima_zicsr_zicclsm.
.include "prelude.inc"

.section .text.init
.globl _start
_start:
  START

  CASE 1                       # a misaligned doubleword store and load inside RAM
  la s0, data
  li a0, 0x1122334455667788
  sd a0, 3(s0)
  ld a1, 3(s0)
  bne a0, a1, fail
  lbu a2, 3(s0)
  CHECK a2, 0x88
  lh a3, 9(s0)                 # bytes 0x22 0x11 → 0x1122
  CHECK a3, 0x1122

  CASE 2                       # across the end of RAM: the second part faults
  li s1, 0xfffffffc
  li a0, -1
  EXPECT 1f
  sd a0, 0(s1)
  j fail
1: CHECK s2, 7
  CHECK s3, 0x100000000
  lw a4, 0(s1)                 # the first part: written (Spike)
  EXPECT 1f
  ld a5, 0(s1)
  j fail
1: CHECK s2, 5
  CHECK s3, 0x100000000

  CASE 3                       # AMO and LR keep their alignment requirement: access faults with Zicclsm
  addi s1, s0, 1
  EXPECT 1f
  amoadd.w a0, a0, (s1)
  j fail
1: CHECK s2, 7
  EXPECT 1f
  lr.d a0, (s1)
  j fail
1: CHECK s2, 5
  EXIT_PASS

.section .data
.align 3
data: .zero 32
