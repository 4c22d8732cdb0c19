# dguest: a guest whose writes the hart records in the G-stage D bits, for `--dirty-source dbits`
# (src/hypervisor/redundancy/dirty-bits.ts). M-mode turns on hardware A/D updating for the G-stage
# (menvcfg.ADUE = 1, Svadu; Priv. ISA §"Svadu", H §"Guest Physical Address Translation") and drops to HS;
# HS maps the guest with Sv39x4 and enters it at VS (vsatp Bare: GVA = GPA); the guest stores ROUNDS
# times into four 4 KiB pages and a 2 MiB superpage, and ends with ECALL, which HS answers with a pass.
#   GPA 0x8000_0000            guest code (this file's .text.user page)   G-stage R X (no W: never armed)
#   GPA 0x8000_1000 … 0x8000_4fff  four data pages (.bss)              G-stage R W, one 4 KiB leaf each
#   GPA 0x8020_0000 … 0x803f_ffff  one 2 MiB leaf → host 0x8040_0000   G-stage R W
# Round r (r = 0 … 5) stores r at data page (r mod 4), offset 8r, then r at superpage page (r mod 2).
# Hand-worked, with a checkpoint after every step (golden/redundancy/dbits.golden.ts): each store to a
# data page is one page found by D bits (6); each store to the superpage finds the leaf dirty and copies
# the superpage's pages that hold data then: 1 (r = 0), then 2 (r = 1 … 5) → 11. In all 17 pages by D bits;
# distinct: data pages 0, 1, 2, 3 and superpage pages 0, 1 = 6. No store of HS or M reaches guest memory.
# ISA: rv64imah_zicsr_svadu.
.equ HAS_H, 1
.include "prelude.inc"
.option norelax

.equ GUEST_BASE, 0x80000000
.equ SP_GPA, 0x80200000
.equ SP_HOST, 0x80400000        # 2 MiB-aligned RAM past the image
.equ ROUNDS, 6
.equ G_CODE, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
.equ G_DATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
.equ ADUE, 1 << 61
.equ SATP_SV39, 8 << 60

.section .text.init
.globl _start
_start:
  START
  CASE 1
  li t0, ADUE                    # hardware sets the G-stage's A and D (Svadu)
  csrs menvcfg, t0
  li t0, 1 << 10                 # ECALL from VS goes to HS
  csrw medeleg, t0
  ENTER_S hypervisor

.section .text
hypervisor:
  CASE 2
  la t0, hs_trap
  csrw stvec, t0
  PTE_AT groot, 2, gl1, PTE_V    # Sv39x4 root index 2: GPA 0x8000_0000 …
  PTE_AT gl1, 0, gl0, PTE_V
  PTE_NUM gl1, 1, SP_HOST, G_DATA
  PTE_AT gl0, 0, guest_image, G_CODE
  PTE_AT gl0, 1, data, G_DATA
  PTE_AT gl0, 2, data + 0x1000, G_DATA
  PTE_AT gl0, 3, data + 0x2000, G_DATA
  PTE_AT gl0, 4, data + 0x3000, G_DATA
  la t0, groot
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw hgatp, t0
  hfence.gvma
  CASE 3
  li t0, 1 << 7                  # hstatus.SPV: sret enters V = 1 …
  csrs hstatus, t0
  li t0, 1 << 8                  # … at VS
  csrs sstatus, t0
  li t0, GUEST_BASE
  csrw sepc, t0
  sret

.align 2
hs_trap:
  csrr t0, scause
  li t1, 10
  bne t0, t1, fail
  CASE 4
  li t1, ROUNDS                  # the guest's a0 counts its rounds
  bne a0, t1, fail
  EXIT_PASS

.section .text.user
guest_image:
  li a0, 0                       # r
  li a1, GUEST_BASE + 0x1000     # data page 0
  li a2, SP_GPA
  li a3, ROUNDS
1: andi a4, a0, 3                # data page r mod 4, offset 8r
  slli a4, a4, 12
  add a4, a4, a1
  slli a5, a0, 3
  add a4, a4, a5
  sd a0, 0(a4)
  andi a5, a0, 1                 # superpage page r mod 2
  slli a5, a5, 12
  add a5, a5, a2
  sd a0, 0(a5)
  addi a0, a0, 1
  bne a0, a3, 1b
  ecall

.section .bss
.align 14
groot: .zero 16384
gl1: .zero 4096
gl0: .zero 4096
data: .zero 4 * 4096
