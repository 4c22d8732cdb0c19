# iommu_dma: the RISC-V IOMMU and a DMA engine on the machine (`memvirt run --iommu`; src/iommu/platform/).
# M-mode software, acting as the hypervisor, builds a one-level device directory and two guests'
# Sv39x4 G-stage tables, programs the IOMMU through its registers (RISC-V IOMMU spec v1.0, "Memory-mapped
# register interface"), fences through the command queue, then starts three DMAs: device 1 (guest 1)
# and device 2 (guest 2) each copy 32 bytes from their GPA 0x1000 to their GPA 0x2000 and land in their
# own guest's memory; device 2 then tries to read guest 1's page by its physical address and is blocked
# with a read guest-page fault, whose record the program reads back from the fault queue. Every expected
# value is worked by hand in the comments. ISA: rv64ima_zicsr.
.include "prelude.inc"
.option norelax

.equ IOMMU, 0x30010000
.equ R_CAPS, 0
.equ R_FCTL, 8
.equ R_DDTP, 16
.equ R_CQB, 24
.equ R_CQH, 32
.equ R_CQT, 36
.equ R_FQB, 40
.equ R_FQH, 48
.equ R_FQT, 52
.equ R_CQCSR, 72
.equ R_FQCSR, 76
.equ R_IPSR, 84

.equ DMA, 0x30020000
.equ D_DID, 0x00
.equ D_PID, 0x08
.equ D_SRC, 0x10
.equ D_DST, 0x18
.equ D_LEN, 0x20
.equ D_GO, 0x28
.equ D_STATUS, 0x30
.equ D_FAULT, 0x38
.equ D_COPIED, 0x40

# Host-physical layout (all in RAM, never touched by the program image).
.equ DDT, 0x80100000          # 1LVL device directory: base-format DCs, 32 bytes each, at DDT + 32 * device_id
.equ G1_ROOT, 0x80200000      # guest 1's Sv39x4 root (16 KiB, 16 KiB aligned), then its level-1 and level-0 tables
.equ G1_L1, 0x80204000
.equ G1_L0, 0x80205000
.equ G2_ROOT, 0x80210000
.equ G2_L1, 0x80214000
.equ G2_L0, 0x80215000
.equ G1_MEM, 0x80400000       # guest 1's GPA 0x1000 and 0x2000 are G1_MEM + 0x1000 and + 0x2000
.equ G2_MEM, 0x80500000
.equ CQ, 0x80600000           # command queue, 4 entries of 16 bytes
.equ FENCE_DATA, 0x80610000   # where IOFENCE.C stores its DATA
.equ FQ, 0x80700000           # fault queue, 4 records of 32 bytes

.equ LEAF, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D     # 0xd7: a G-stage leaf needs U = 1

# STORE8 addr, value / STORE4 addr, value: a doubleword / word store of a constant at a constant address.
.macro STORE8 addr, value
  li t0, \addr
  li t1, \value
  sd t1, 0(t0)
.endm

# CHECK8 addr, value: the doubleword at addr must be value.
.macro CHECK8 addr, value
  li t0, \addr
  ld a0, 0(t0)
  CHECK a0, \value
.endm

# DMA_RUN did, src, dst, len: program the engine, start it, and wait until it is no longer busy (1):
# the engine works at the next chunk end, which WFI brings (MTIP is pending and enabled, MIE = 0, so the
# WFI ends at once without a trap). Leaves STATUS in a0.
.macro DMA_RUN did, src, dst, len
  li t0, \did
  sd t0, D_DID(s1)
  sd zero, D_PID(s1)
  li t0, \src
  sd t0, D_SRC(s1)
  li t0, \dst
  sd t0, D_DST(s1)
  li t0, \len
  sd t0, D_LEN(s1)
  li t0, 1
  sd t0, D_GO(s1)
1: wfi
  ld a0, D_STATUS(s1)
  li t0, 1
  beq a0, t0, 1b
.endm

.section .text.init
.globl _start
_start:
  START
  li t0, 0x80                    # mie.MTIE: WFI returns at the next chunk end (mstatus.MIE stays 0)
  csrs mie, t0
  li s0, IOMMU
  li s1, DMA

  CASE 1                         # capabilities: the platform's value, in one 8-byte and two 4-byte reads
  ld a0, R_CAPS(s0)
  CHECK a0, 0x1f8270e8e10        # EXAMPLE_CAPABILITIES with IGS = 2 (bits 29:28, BOTH)
  lw a0, R_CAPS(s0)
  CHECK a0, 0x270e8e10
  lw a0, R_CAPS+4(s0)
  CHECK a0, 0x1f8

  CASE 2                         # a 1-byte register access is refused: load access fault (5), mtval = the address
  EXPECT 2f
  lb a0, R_CAPS(s0)
  j fail
2: CHECK s2, 5
  CHECK s3, IOMMU

  CASE 3                         # the guests' data: guest 1's source page holds 0x11…, guest 2's 0x22…
  STORE8 G1_MEM + 0x1000, 0x1111111111111111
  STORE8 G1_MEM + 0x1008, 0x1111111111111112
  STORE8 G1_MEM + 0x1010, 0x1111111111111113
  STORE8 G1_MEM + 0x1018, 0x1111111111111114
  STORE8 G2_MEM + 0x1000, 0x2222222222222221
  STORE8 G2_MEM + 0x1008, 0x2222222222222222
  STORE8 G2_MEM + 0x1010, 0x2222222222222223
  STORE8 G2_MEM + 0x1018, 0x2222222222222224

  # G-stage tables (Sv39x4: GPA[40:30] indexes the 2048-entry root, then GPA[29:21], GPA[20:12]).
  # PTE = (PA >> 12) << 10 | flags. Guest g maps GPA 0x1000 → Gg_MEM + 0x1000, 0x2000 → Gg_MEM + 0x2000.
  STORE8 G1_ROOT, (G1_L1 >> 12) << 10 | PTE_V                  # 0x20081001
  STORE8 G1_L1, (G1_L0 >> 12) << 10 | PTE_V                    # 0x20081401
  STORE8 G1_L0 + 8, ((G1_MEM + 0x1000) >> 12) << 10 | LEAF     # 0x201004d7
  STORE8 G1_L0 + 16, ((G1_MEM + 0x2000) >> 12) << 10 | LEAF    # 0x201008d7
  STORE8 G2_ROOT, (G2_L1 >> 12) << 10 | PTE_V                  # 0x20085001
  STORE8 G2_L1, (G2_L0 >> 12) << 10 | PTE_V                    # 0x20085401
  STORE8 G2_L0 + 8, ((G2_MEM + 0x1000) >> 12) << 10 | LEAF     # 0x201404d7
  STORE8 G2_L0 + 16, ((G2_MEM + 0x2000) >> 12) << 10 | LEAF    # 0x201408d7

  # Device contexts ("Device-context fields"): tc = V; iohgatp = MODE Sv39x4 (8) << 60 | GSCID << 44 | root PPN;
  # ta = 0; fsc = 0 (iosatp Bare: IOVA = GPA). Device 1 belongs to guest 1 (GSCID 1), device 2 to guest 2.
  STORE8 DDT + 32, 1
  STORE8 DDT + 40, 0x8000100000080200
  STORE8 DDT + 64, 1
  STORE8 DDT + 72, 0x8000200000080210

  CASE 4                         # program the IOMMU (Off, queues off after reset)
  li t0, 2                       # fctl.WSI = 1 (writable: IGS = BOTH, and the IOMMU is Off)
  sw t0, R_FCTL(s0)
  lw a0, R_FCTL(s0)
  CHECK a0, 2
  li t0, (CQ >> 12) << 10 | 1    # cqb: PPN << 10 | LOG2SZ-1 (4 entries) = 0x20180001
  sd t0, R_CQB(s0)
  li t0, 1                       # cqcsr.cqen; cqon follows at once (bit 16)
  sw t0, R_CQCSR(s0)
  lw a0, R_CQCSR(s0)
  CHECK a0, 0x10001
  li t0, (FQ >> 12) << 10 | 1    # fqb = 0x201c0001
  sd t0, R_FQB(s0)
  li t0, 3                       # fqcsr.fqen | fie
  sw t0, R_FQCSR(s0)
  lw a0, R_FQCSR(s0)
  CHECK a0, 0x10003
  li t0, (DDT >> 12) << 10 | 2   # ddtp: PPN << 10 | iommu_mode 1LVL (2) = 0x20040002
  sd t0, R_DDTP(s0)
  ld a0, R_DDTP(s0)
  CHECK a0, 0x20040002

  CASE 5                         # IOFENCE.C with AV: opcode 2, AV bit 10, DATA 63:32; dw1 = ADDR >> 2
  STORE8 CQ, 0x00c0ffee00000402
  STORE8 CQ + 8, FENCE_DATA >> 2
  li t0, 1
  sw t0, R_CQT(s0)               # cqt = 1: the IOMMU takes the command up when it next runs
3: wfi
  lw a0, R_CQH(s0)
  beqz a0, 3b
  CHECK a0, 1                    # cqh = 1: the fence completed
  li t0, FENCE_DATA
  lwu a0, 0(t0)
  CHECK a0, 0xc0ffee

  CASE 6                         # device 1 (guest 1): GPA 0x1000 → 0x2000, 32 bytes in 8-byte accesses
  DMA_RUN 1, 0x1000, 0x2000, 32
  CHECK a0, 2                    # done
  ld a0, D_COPIED(s1)
  CHECK a0, 32
  CHECK8 G1_MEM + 0x2000, 0x1111111111111111
  CHECK8 G1_MEM + 0x2008, 0x1111111111111112
  CHECK8 G1_MEM + 0x2010, 0x1111111111111113
  CHECK8 G1_MEM + 0x2018, 0x1111111111111114

  CASE 7                         # device 2 (guest 2): the same IOVAs land in guest 2's memory only
  DMA_RUN 2, 0x1000, 0x2000, 32
  CHECK a0, 2
  CHECK8 G2_MEM + 0x2000, 0x2222222222222221
  CHECK8 G2_MEM + 0x2018, 0x2222222222222224
  CHECK8 G1_MEM + 0x2000, 0x1111111111111111                  # guest 1's copy untouched

  CASE 8                         # device 2 reads guest 1's page by its host address: blocked
  DMA_RUN 2, G1_MEM + 0x1000, 0x2000, 32
  CHECK a0, 3                    # error
  ld a0, D_FAULT(s1)
  CHECK a0, 0x80401000           # the first access, refused
  ld a0, D_COPIED(s1)
  CHECK a0, 0
  CHECK8 G2_MEM + 0x2000, 0x2222222222222221                  # nothing written

  CASE 9                         # its fault record ("Fault/Event-Queue (FQ)"), worked by hand:
  lw a0, R_FQT(s0)               # one record: fqt = 1
  CHECK a0, 1
  # GPA 0x80401000 (iosatp Bare) has GPA[40:30] = 2; guest 2's root entry 2 is 0 (V = 0): a read
  # guest-page fault, CAUSE 21; TTYP 2 (untranslated read); DID 2; no process_id (PV = 0, PID 0, PRIV 0).
  # dw0 = 21 | 2 << 34 | 2 << 40 = 0x0000020800000015; dw1 = 0; iotval = the IOVA;
  # iotval2 = the GPA (bits 63:2), bits 1:0 = 0 (not an implicit access).
  CHECK8 FQ, 0x0000020800000015
  CHECK8 FQ + 8, 0
  CHECK8 FQ + 16, 0x80401000
  CHECK8 FQ + 24, 0x80401000

  CASE 10                        # fctl.WSI = 1, fqcsr.fie = 1: the record set ipsr.fip, its wire drives mip.MEIP
  lw a0, R_IPSR(s0)
  CHECK a0, 2
  csrr a0, mip
  srli a0, a0, 11
  andi a0, a0, 1
  CHECK a0, 1
  li t0, 2                       # ipsr.fip is RW1C: clearing it lowers the wire
  sw t0, R_IPSR(s0)
  csrr a0, mip
  srli a0, a0, 11
  andi a0, a0, 1
  CHECK a0, 0
  li t0, 1                       # software has read the record: fqh = 1
  sw t0, R_FQH(s0)
  lw a0, R_FQH(s0)
  CHECK a0, 1

  EXIT_PASS
