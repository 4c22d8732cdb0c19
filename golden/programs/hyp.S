# hyp: a hypervisor (HS) running a VS guest (H chapter: §"Two-Stage Address Translation", §"Guest-Page
# Faults", §"Hypervisor Virtual-Machine Load and Store Instructions", §"Virtual Instruction Exception",
# §"Trap Value Registers", §"Hypervisor Memory-Management Fence Instructions"). G-stage Sv39x4 under a
# VS-stage Sv39; guest-page faults on the final GPA and on an implicit VS-stage PTE read (htinst
# 0x3000, the pseudoinstruction Spike writes), HLV/HLVX/HSV, virtual-instruction exceptions,
# HFENCE.VVMA/GVMA after remaps, ECALL from VS. ISA: rv64imah_zicsr.
.equ HAS_H, 1
.include "prelude.inc"
.option norelax

.equ GPA, 0x100000000            # gl0 pages: GPA + n * 0x1000
.equ GVA, 0x40000000             # vl0 pages: GVA + n * 0x1000
.equ G_LEAF, LEAF_RWX | PTE_U    # G-stage leaves must have U = 1

.section .text.init
.globl _start
_start:
  START

  CASE 1                         # misa.H; the H causes are delegable
  csrr a0, misa
  srli a0, a0, 7
  andi a0, a0, 1
  CHECK a0, 1
  li a0, (1 << 8) | (1 << 10) | (1 << 12) | (1 << 13) | (1 << 15) | (1 << 20) | (1 << 21) | (1 << 22) | (1 << 23)
  csrw medeleg, a0
  csrr a1, medeleg
  bne a0, a1, fail
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800                   # MPP = S, MPV = 0: HS-mode
  csrs mstatus, t0
  la t0, hypervisor
  csrw mepc, t0
  mret

.section .text
hypervisor:
  CASE 2                         # hstatus out of reset: VSXL = 2 (RV64), everything else 0 (Spike)
  csrr a0, hstatus
  CHECK a0, 0x200000000

  CASE 3                         # G-stage Sv39x4: identity gigapage for the guest's RAM, 4 KiB pages above
  PTE_NUM groot, 2, 0x80000000, G_LEAF
  PTE_AT groot, 4, gl1, PTE_V
  PTE_AT gl1, 0, gl0, PTE_V
  PTE_AT gl0, 0, gpage0, G_LEAF & ~PTE_X
  PTE_AT gl0, 1, gpage1, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D   # read-only for the guest
  PTE_AT gl0, 3, gpage3, PTE_V | PTE_X | PTE_U | PTE_A           # execute-only
  la t0, groot
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw hgatp, t0
  csrr t1, hgatp
  bne t0, t1, fail
  hfence.gvma
  # VS-stage tables, at guest-physical = physical addresses (inside the identity gigapage)
  PTE_NUM vroot, 2, 0x80000000, LEAF_RWX
  PTE_AT vroot, 1, vl1, PTE_V
  PTE_AT vl1, 0, vl0, PTE_V
  PTE_NUM vl1, 1, GPA + 0x2000, PTE_V                    # a VS table at an unmapped GPA
  PTE_NUM vl0, 0, GPA, LEAF_RWX & ~PTE_X
  PTE_NUM vl0, 1, GPA + 0x1000, LEAF_RWX & ~PTE_X
  PTE_NUM vl0, 2, GPA + 0x2000, LEAF_RWX & ~PTE_X
  PTE_NUM vl0, 4, GPA + 0x3000, PTE_V | PTE_R | PTE_X | PTE_A
  la t0, vroot
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw vsatp, t0
  li t0, 1 << 13                 # guest load page faults go to the guest
  csrw hedeleg, t0
  la t0, vstrap
  csrw vstvec, t0

  CASE 4                         # HSV/HLV with SPVP = 1 reach guest memory through both stages
  li t0, 1 << 8
  csrs hstatus, t0
  li s0, GVA + 8
  li a0, 0x80000000fedcba98
  hsv.d a0, (s0)
  la t0, gpage0
  ld a1, 8(t0)
  bne a0, a1, fail
  hlv.w a2, (s0)
  CHECK a2, 0xfffffffffedcba98
  hlv.wu a3, (s0)
  CHECK a3, 0xfedcba98
  hlv.b a4, (s0)
  CHECK a4, 0xffffffffffffff98

  CASE 5                         # HLVX reads an execute-only page; HLV there is a load guest-page fault
  li s0, GVA + 0x4000
  hlvx.wu a0, (s0)
  CHECK a0, 0x05a00513           # li a0, 0x5a
  EXPECT 1f
  li s8, 1
  hlv.w a0, (s0)
  j fail
1: CHECK s2, 21
  CHECK s3, GVA + 0x4000
  CHECK s6, (GPA + 0x3000) >> 2
  CHECK s7, 0
  srli t0, s9, 6
  andi t0, t0, 3
  CHECK t0, 1                    # hstatus.GVA = 1, SPV = 0 (the trap came from HS)

  CASE 6                         # enter the guest: SPV = 1, SPP = S; WFI there will trap (VTW = 1)
  li t0, (1 << 7) | (1 << 21)
  csrs hstatus, t0
  li t0, 0x100
  csrs sstatus, t0
  la t0, guest
  csrw sepc, t0
  sret

guest:
  CASE 7                         # a two-stage load sees what HSV stored
  li s0, GVA
  ld a0, 8(s0)
  CHECK a0, 0x80000000fedcba98

  CASE 8                         # store to a G-stage read-only page: 23 to HS, htval = GPA >> 2, htinst 0
  li s0, GVA + 0x1000
  ld a0, 0(s0)
  CHECK a0, 0x1111
  EXPECT 1f
  sd a0, 0(s0)
  j fail
1: CHECK s2, 23
  CHECK s3, GVA + 0x1000
  CHECK s6, (GPA + 0x1000) >> 2
  CHECK s7, 0
  srli t0, s9, 6
  andi t0, t0, 3
  CHECK t0, 3                    # GVA = 1 and SPV = 1

  CASE 9                         # a GPA the G-stage does not map: load guest-page fault 21
  li s0, GVA + 0x2010
  EXPECT 1f
  lw a0, 0(s0)
  j fail
1: CHECK s2, 21
  CHECK s6, (GPA + 0x2010) >> 2

  CASE 10                        # an invalid VS leaf: load page fault 13, delegated to the guest
  li s0, GVA + 0x3000
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 13
  CHECK s3, GVA + 0x3000

  CASE 11                        # the VS-stage PTE itself sits at an unmapped GPA: 21, htinst 0x3000
  li s0, 0x40205000
  EXPECT 1f
  ld a0, 0(s0)
  j fail
1: CHECK s2, 21
  CHECK s3, 0x40205000
  CHECK s6, (GPA + 0x2000 + 5 * 8) >> 2
  CHECK s7, 0x3000

  CASE 12                        # virtual-instruction exceptions (22), stval = the instruction
  EXPECT 1f
  hfence.gvma                    # 0x62000073
  j fail
1: CHECK s2, 22
  CHECK s3, 0x62000073
  EXPECT 1f
  csrr a0, hstatus               # 0x60002573
  j fail
1: CHECK s2, 22
  CHECK s3, 0x60002573
  EXPECT 1f
  wfi                            # hstatus.VTW = 1
  j fail
1: CHECK s2, 22
  CHECK s3, 0x10500073

  CASE 13                        # ECALL from VS: cause 10 to HS with SPV = SPVP = 1; stay in HS
  EXPECT hs_again
  li s8, 1
  ecall
  j fail
hs_again:
  CHECK s2, 10
  srli t0, s9, 7
  andi t0, t0, 3
  CHECK t0, 3

  CASE 14                        # remap a VS PTE, HFENCE.VVMA: HLV sees the new mapping
  PTE_NUM vl0, 3, GPA, LEAF_RWX & ~PTE_X
  hfence.vvma
  li s0, GVA + 0x3008
  hlv.d a0, (s0)
  CHECK a0, 0x80000000fedcba98

  CASE 15                        # map the missing G-stage page, HFENCE.GVMA: the GPA now translates
  PTE_AT gl0, 2, gpage2, G_LEAF & ~PTE_X
  li t0, (GPA + 0x2000) >> 2
  hfence.gvma t0, zero
  li s0, GVA + 0x2000
  hlv.d a0, (s0)
  CHECK a0, 0x2222

  CASE 16                        # ECALL from HS goes to M (not delegated); MPV = 0 there
  EXPECT 1f
  li s8, 1
  ecall
  j fail
1: CHECK s2, 9
  csrr a0, mstatus
  srli a0, a0, 39
  andi a0, a0, 1
  CHECK a0, 0
  EXIT_PASS

# The guest's own handler (VS-mode): s* CSR names reach the vs* registers.
.align 2
vstrap:
  csrr s2, scause
  csrr s3, stval
  csrr s4, sepc
  beqz s5, 1f
  csrw sepc, s5
  li s5, 0
  sret
1: ori gp, gp, 0x400
  j fail                         # (the guest's identity mapping reaches tohost)

.section .data
.align 12
gpage0: .dword 0, 0
.align 12
gpage1: .dword 0x1111
.align 12
gpage2: .dword 0x2222
.align 12
gpage3:
  li a0, 0x5a
  ret

.section .bss
.align 14
groot: .zero 16384
gl1: .zero 4096
gl0: .zero 4096
vroot: .zero 4096
vl1: .zero 4096
vl0: .zero 4096
