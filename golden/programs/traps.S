# traps: exceptions in M, S and U, their cause/tval/epc, and delegation M → S (Priv. ISA §"Machine
# Trap Delegation Registers", §"Machine Cause Register", §"Machine Trap Value Register"; Spike writes
# the instruction bits to tval for illegal instructions and the pc for EBREAK). No C, so a jump to
# an address that is 2 mod 4 traps. ISA: rv64ima_zicsr.
.include "prelude.inc"

.section .text.init
.globl _start
_start:
  START

  CASE 1                       # ECALL from M: cause 11, tval 0, epc = the ecall
  EXPECT 1f
2: ecall
  j fail
1: CHECK s2, 11
  CHECK s3, 0
  la t0, 2b
  bne s4, t0, fail

  CASE 2                       # EBREAK: cause 3, tval = pc (Spike)
  EXPECT 1f
2: ebreak
  j fail
1: CHECK s2, 3
  la t0, 2b
  bne s3, t0, fail

  CASE 3                       # the all-zero word is illegal: cause 2, tval 0
  EXPECT 1f
  .word 0
  j fail
1: CHECK s2, 2
  CHECK s3, 0

  CASE 4                       # writing a read-only CSR (mhartid) is illegal; tval = the instruction
  EXPECT 1f
  csrw mhartid, zero           # 0xf1401073
  j fail
1: CHECK s2, 2
  CHECK s3, 0xf1401073

  CASE 5                       # a CSR number that does not exist (0x7c0) is illegal
  EXPECT 1f
  csrr a0, 0x7c0               # 0x7c002573
  j fail
1: CHECK s2, 2
  CHECK s3, 0x7c002573

  CASE 6                       # JALR to 2 mod 4 without C: cause 0, tval = target, rd unchanged
  li a1, 0x5a
  la a0, 1f
  EXPECT 1f
2: jalr a1, 2(a0)
  j fail
1: CHECK s2, 0
  addi t0, a0, 2
  bne s3, t0, fail
  CHECK a1, 0x5a
  la t0, 2b
  bne s4, t0, fail

  CASE 7                       # no memory at 0x40000000: load 5, store 7 (tval = address)
  li a0, 0x40000000
  EXPECT 1f
  ld a1, 8(a0)
  j fail
1: CHECK s2, 5
  CHECK s3, 0x40000008
  EXPECT 1f
  sw a1, 16(a0)
  j fail
1: CHECK s2, 7
  CHECK s3, 0x40000010

  CASE 8                       # fetch from no memory: cause 1, epc = tval = target
  EXPECT 1f
  jr a0
  j fail
1: CHECK s2, 1
  CHECK s3, 0x40000000
  CHECK s4, 0x40000000

  CASE 9                       # misaligned accesses trap (Spike without Zicclsm): 4 and 6; AMO/LR too
  la s0, data
  EXPECT 1f
  lw a1, 2(s0)
  j fail
1: CHECK s2, 4
  addi t0, s0, 2
  bne s3, t0, fail
  EXPECT 1f
  sd a1, 4(s0)
  j fail
1: CHECK s2, 6
  addi s1, s0, 4
  EXPECT 1f
  amoswap.d a1, a1, (s1)       # an AMO reports store faults: 6
  j fail
1: CHECK s2, 6
  addi s1, s0, 1
  EXPECT 1f
  lr.w a1, (s1)
  j fail
1: CHECK s2, 4

  CASE 10                      # medeleg is WARL: ecall-from-M (11) can never be delegated
  li a0, -1
  csrw medeleg, a0
  csrr a1, medeleg
  CHECK a1, 0xb3ff             # Spike without C/H/Zicntr: causes 0-9, 12, 13, 15
  li a0, (1 << 2) | (1 << 8) | (1 << 9)
  csrw medeleg, a0

  CASE 11                      # mret to S: MPP becomes U and MPIE 1 afterwards
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800                 # MPP = S
  csrs mstatus, t0
  la t0, in_s
  csrw mepc, t0
  mret
in_s:
  CASE 12                      # delegated ECALL from S: scause 9, sepc = the ecall, stval 0
  EXPECT 1f
  li s8, 1                     # resume in S
2: ecall
  j fail
1: CHECK s2, 9
  CHECK s3, 0
  la t0, 2b
  bne s4, t0, fail

  CASE 13                      # an M CSR from S: illegal (2), delegated, stval = bits
  EXPECT 1f
  csrr a0, mscratch            # 0x34002573
  j fail
1: CHECK s2, 2
  CHECK s3, 0x34002573

  CASE 14                      # a load access fault from S is not delegated: M handles it, back to S
  li a0, 0x40000000
  EXPECT 1f
  ld a1, 0(a0)
  j fail
1: CHECK s2, 5
  csrr a2, sstatus             # still in S: this would trap in U (and M handles no ecall here)

  CASE 15                      # sret to U: U-mode ECALL goes to S with scause 8
  li t0, 0x100
  csrc sstatus, t0             # SPP = U
  la t0, in_u
  csrw sepc, t0
  sret
in_u:
  EXPECT 1f
  csrr a0, sstatus             # an S CSR from U: illegal, delegated to S, resumes in U
  j fail
1: CHECK s2, 2
  CHECK s3, 0x10002573
  EXPECT 1f
  li s8, 1                     # resume in S
  ecall
  j fail
1: CHECK s2, 8

  CASE 16                      # TW/TSR/TVM trap S-mode (set by M: back to M with a non-delegated ebreak)
  EXPECT 1f
  li s8, 1
  ebreak
  j fail
1: CHECK s2, 3
  csrr a0, mstatus
  srli a0, a0, 11
  andi a0, a0, 3
  CHECK a0, 0                  # the handler's MRET to M left MPP = U (the least-privileged mode)
  li t0, 4                     # illegal instructions go to M now: with TSR the S handler's SRET would trap
  csrc medeleg, t0
  li t0, (1 << 20) | (1 << 21) | (1 << 22) | (1 << 11)    # TVM, TW, TSR and MPP = S
  csrs mstatus, t0
  la t0, in_s2
  csrw mepc, t0
  mret
in_s2:
  EXPECT 1f
  wfi                          # TW = 1: illegal outside M
  j fail
1: CHECK s2, 2
  CHECK s3, 0x10500073
  EXPECT 1f
  csrr a0, satp                # TVM = 1
  j fail
1: CHECK s2, 2
  EXPECT 1f
  sret                         # TSR = 1
  j fail
1: CHECK s2, 2
  CHECK s3, 0x10200073
  EXIT_PASS

.section .data
.align 3
data:
.dword 0x1122334455667788
.dword 0
