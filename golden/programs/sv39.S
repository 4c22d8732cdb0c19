# sv39: an S-mode kernel under Sv39 (Priv. ISA §"Sv39: Page-Based 39-bit Virtual-Memory System",
# §"Virtual Address Translation Process"): translated accesses through 4 KiB pages and a megapage,
# page faults 12/13/15 delegated to S with stval = the VA, SUM, MXR, A/D faults without Svadu
# (menvcfg.ADUE = 0: the Svade behaviour), invalid and misaligned leaves, a non-canonical VA,
# SFENCE.VMA after a remap, and a U-mode program. ISA: rv64ima_zicsr.
.include "prelude.inc"
.option norelax

.equ VA, 0x40000000              # l0 pages: VA + n * 0x1000
.equ MEGA_VA, 0x40200000         # l1[1]: a 2 MiB megapage
.equ MEGA_PA, 0x80200000
.equ USER_VA, 0x40006000         # l0[6]: the user code page

.section .text.init
.globl _start
_start:
  START

  CASE 1                         # build the tables, enable Sv39, enter S
  PTE_NUM root, 2, 0x80000000, LEAF_RWX            # 1 GiB identity gigapage (S only)
  PTE_AT root, 1, l1, PTE_V
  PTE_AT l1, 0, l0, PTE_V
  PTE_NUM l1, 1, MEGA_PA, LEAF_RWX                  # megapage VA 0x40200000 → PA 0x80200000
  PTE_NUM l1, 2, 0x80201000, LEAF_RWX               # misaligned megapage (PPN[0] ≠ 0)
  PTE_AT l0, 0, page0, LEAF_RWX & ~PTE_X
  PTE_AT l0, 1, page1, PTE_V | PTE_R | PTE_A | PTE_D              # read-only
  PTE_AT l0, 2, page2, PTE_V | PTE_R | PTE_W | PTE_D              # A = 0
  PTE_AT l0, 3, page3, PTE_V | PTE_R | PTE_W | PTE_A              # D = 0
  PTE_AT l0, 4, page4, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D  # a user page
  PTE_AT l0, 5, page5, PTE_V | PTE_X | PTE_A                      # execute-only
  PTE_AT l0, 6, user_code, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A  # user code
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  csrr t1, satp
  bne t0, t1, fail
  li t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
  csrw medeleg, t0
  ENTER_S kernel

.section .text
kernel:
  CASE 2                         # a store through VA 0x40000000 lands in page0
  li s0, VA
  li a0, 0x1234
  sd a0, 8(s0)
  la t0, page0
  ld a1, 8(t0)
  CHECK a1, 0x1234

  CASE 3                         # store to a read-only page: 15, stval = VA
  li s0, VA + 0x1000
  ld a0, 0(s0)
  EXPECT 1f
  sd a0, 16(s0)
  j fail
1: CHECK s2, 15
  CHECK s3, VA + 0x1010

  CASE 4                         # A = 0 with ADUE = 0: load 13, store 15
  li s0, VA + 0x2000
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 13
  EXPECT 1f
  sd a0, 8(s0)
  j fail
1: CHECK s2, 15
  CHECK s3, VA + 0x2008

  CASE 5                         # D = 0: loads work, stores fault 15
  li s0, VA + 0x3000
  ld a0, 0(s0)
  EXPECT 1f
  sw a0, 4(s0)
  j fail
1: CHECK s2, 15

  CASE 6                         # S and a U page: load 13 unless SUM; fetch 12 even with SUM
  li s0, VA + 0x4000
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 13
  li t0, 1 << 18
  csrs sstatus, t0
  li a0, 77
  sd a0, 0(s0)
  ld a1, 0(s0)
  CHECK a1, 77
  li t1, USER_VA
  EXPECT 1f
  jalr t1
  j fail
1: CHECK s2, 12
  CHECK s3, USER_VA
  CHECK s4, USER_VA
  li t0, 1 << 18
  csrc sstatus, t0

  CASE 7                         # execute-only page: load 13 unless MXR; stores still 15
  li s0, VA + 0x5000
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 13
  li t0, 1 << 19
  csrs sstatus, t0
  ld a0, 0(s0)
  CHECK a0, 0x5555
  EXPECT 1f
  sd a0, 0(s0)
  j fail
1: CHECK s2, 15
  li t0, 1 << 19
  csrc sstatus, t0

  CASE 8                         # invalid leaf 13; non-canonical VA 13 with the full VA in stval
  li s0, VA + 0x7000
  EXPECT 1f
  lw a0, 0(s0)
  j fail
1: CHECK s2, 13
  CHECK s3, VA + 0x7000
  li s0, 0x4000000000            # bit 38 set, bits 63:39 clear
  EXPECT 1f
  sd zero, 0(s0)
  j fail
1: CHECK s2, 15
  CHECK s3, 0x4000000000

  CASE 9                         # the megapage aliases PA 0x80200000; a misaligned megapage faults
  li s0, MEGA_VA + 0x18
  li a0, 0x77
  sd a0, 0(s0)
  li t0, MEGA_PA + 0x18
  ld a1, 0(t0)
  CHECK a1, 0x77
  li s0, MEGA_VA + 0x200000
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 13

  CASE 10                        # remap the invalid l0[7] to page0, SFENCE.VMA, then it translates
  la t1, l0
  la t0, page0
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, LEAF_RWX & ~PTE_X
  sd t0, 7 * 8(t1)
  sfence.vma
  li s0, VA + 0x7000
  ld a0, 8(s0)
  CHECK a0, 0x1234

  CASE 11                        # U-mode: its own page works, an S page faults 13 (delegated)
  li t0, 0x100
  csrc sstatus, t0
  li t0, USER_VA
  csrw sepc, t0
  la s10, after_user
  sret
after_user:
  CHECK s2, 8                    # the U program ended with ECALL (cause 8)
  CHECK a3, 99
  li s0, VA + 0x4000
  li t0, 1 << 18
  csrs sstatus, t0
  ld a1, 8(s0)
  CHECK a1, 99

  CASE 12                        # ECALL from S is not delegated: M, which ignores satp
  EXPECT 1f
  li s8, 1
  ecall
  j fail
1: CHECK s2, 9
  la t0, page0
  ld a0, 8(t0)
  CHECK a0, 0x1234
  EXIT_PASS

# The U program, run at VA 0x40006000 (label differences give its VAs).
.section .text.user, "ax"
user_code:
  li s0, VA + 0x4000
  li a3, 99
  sd a3, 8(s0)
  la s5, 1f                      # pc-relative: the VA of 1f, since this code runs at its VA
  li s0, VA
  ld a0, 0(s0)                   # U access to an S page: 13
  j fail_user
1: li t0, 13
  bne s2, t0, fail_user
  mv s5, s10                     # resume in S at after_user (S put its address in s10)
  li s8, 1
  ecall
fail_user:
  j fail_user                    # (U cannot reach tohost: a stuck program fails by running out of steps)

.section .data
.align 12
page0: .dword 0, 0
.align 12
page1: .dword 0x1111
.align 12
page2: .dword 0x2222
.align 12
page3: .dword 0x3333
.align 12
page4: .dword 0x4444, 0
.align 12
page5: .dword 0x5555

.section .bss
.align 12
root: .zero 4096
l1: .zero 4096
l0: .zero 4096
