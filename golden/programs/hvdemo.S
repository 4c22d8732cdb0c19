# hvdemo: the smallest useful hypervisor — what `npm start` runs. Written as a specification of what a
# type-1 hypervisor on the RISC-V H extension does to run one guest with demand-paged memory:
#   1. M-mode firmware delegates the guest's traps to HS-mode (Priv. ISA §"Machine Trap Delegation
#      Registers"; H chapter §"Trap Cause Codes") and drops to HS.
#   2. HS builds the guest's G-stage (second-stage) table, Sv39x4 (H §"Two-Stage Address Translation",
#      §"Guest Physical Address Translation"): it backs the guest's image and page-table pages, but NOT
#      the guest's data pages — those are given out on first touch.
#   3. HS enters the guest: hstatus.SPV = 1, sstatus.SPP = S, sret (H §"Hypervisor Status Register").
#   4. The guest (VS-mode) builds its own Sv39 tables in guest-physical memory and turns paging on with
#      `csrw satp`, which in VS-mode writes vsatp (H §"Virtual Supervisor Address Translation and
#      Protection Register"). Then it fills and sums an array spanning four 4 KiB pages.
#   5. Each first touch of a data page misses in the G-stage: a store (23) or load (21) guest-page fault
#      to HS with stval = the guest-virtual address and htval = the guest-physical address >> 2 (H §"Trap
#      Value Registers"). HS takes a host page from its pool, writes the G-stage leaf, orders it with
#      HFENCE.GVMA (H §"Hypervisor Memory-Management Fence Instructions") and srets: sepc still points
#      at the faulting instruction, which re-executes and now translates.
#   6. The guest ends with ECALL from VS (cause 10, H §"Trap Cause Codes"); HS checks its result and
#      exits through HTIF tohost.
# ISA: rv64imah_zicsr. Expected values worked out by hand below; memvirt's commit log must equal Spike's.
#
# Guest-physical memory (what the guest believes is RAM, like a virt board: from 0x8000_0000):
#   GPA 0x8000_0000  guest image (this file's .text.user page)      G-stage R X   (backed at boot)
#   GPA 0x8000_1000  guest's Sv39 root table                         G-stage R W   (backed at boot)
#   GPA 0x8000_2000  guest's level-1 table                           G-stage R W   (backed at boot)
#   GPA 0x8000_3000  guest's level-0 table                           G-stage R W   (backed at boot)
#   GPA 0x8010_0000 … 0x8010_3fff  the guest's array, 4 pages        unbacked: faulted in on demand
# Guest-virtual memory (the guest's own Sv39 tables):
#   GVA 0x8000_0000 … (1 GiB gigapage) → GPA 0x8000_0000 …   the guest kernel, identity
#   GVA 0x4000_0000 … 0x4000_3fff      → GPA 0x8010_0000 …   the array, four 4 KiB pages
# Registers: the guest uses only a0–a7; this hypervisor's trap handler uses only t0–t6, s10, s11 and gp,
# so it need not save the guest's registers (a real hypervisor saves them all on every trap).
.equ HAS_H, 1
.include "prelude.inc"
.option norelax

.equ GUEST_BASE, 0x80000000     # guest-physical RAM base; also where the guest's code starts
.equ GUEST_ROOT, 0x80001000     # GPAs of the guest's three page tables
.equ GUEST_L1,   0x80002000
.equ GUEST_L0,   0x80003000
.equ DATA_GPA,   0x80100000     # GPA of the array's first page
.equ DATA_GVA,   0x40000000     # where the guest maps it
.equ DATA_PAGES, 4
.equ LINE, 64                   # the guest touches one dword per 64-byte line
.equ FILLED, 192                # lines filled with squares: 3 pages × 64 lines
.equ SUMMED, 256                # lines summed: all 4 pages (the 4th is first touched by a load)
# Σ i² for i = 0 … 191 = 191·192·383 / 6 = 2 340 896 (the unfilled 4th page reads as zeros)
.equ EXPECTED_SUM, 2340896

.equ G_CODE, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A            # G-stage leaves need U = 1 (H §"Guest
.equ G_DATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D    #   Physical Address Translation")
.equ VS_DATA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D           # the guest's own leaves: U = 0 (kernel)
.equ SATP_SV39, 8 << 60                                       # MODE = 8 (Sv39 / Sv39x4), ASID = VMID = 0

# ---- 1. M-mode firmware ---------------------------------------------------------------------------
.section .text.init
.globl _start
_start:
  START
  CASE 1                         # ECALL from VS and the guest-page faults go to HS, not M
  li t0, (1 << 10) | (1 << 20) | (1 << 21) | (1 << 23)
  csrw medeleg, t0
  ENTER_S hypervisor             # MPP = S with MPV = 0: HS-mode

# ---- 2. HS: the guest's G-stage table, then 3. enter the guest ---------------------------------------
.section .text
hypervisor:
  CASE 2
  la t0, hs_trap
  csrw stvec, t0
  # Sv39x4: the root has 2048 entries (16 KiB) indexed by GPA[40:30]; GPA 0x8000_0000 → index 2.
  PTE_AT groot, 2, gl1, PTE_V
  PTE_AT gl1, 0, gl0, PTE_V      # GPA[29:21] = 0
  PTE_AT gl0, 0, guest_image, G_CODE
  PTE_AT gl0, 1, guest_root, G_DATA
  PTE_AT gl0, 2, guest_l1, G_DATA
  PTE_AT gl0, 3, guest_l0, G_DATA
  la t0, groot
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw hgatp, t0
  hfence.gvma                    # the new G-stage table is in force for later guest accesses
  la s10, pool                   # next free host page
  li s11, 0                      # guest-page faults served

  CASE 3
  li t0, 1 << 7                  # hstatus.SPV = 1: sret enters a virtual mode
  csrs hstatus, t0
  li t0, 1 << 8                  # sstatus.SPP = S: … and that mode is VS
  csrs sstatus, t0
  li t0, GUEST_BASE              # the guest starts at its own RAM base (a GVA = GPA while vsatp is Bare)
  csrw sepc, t0
  sret

# ---- 5./6. HS trap handler -------------------------------------------------------------------------
.align 2
hs_trap:
  csrr t0, scause
  li t1, 21
  beq t0, t1, guest_page_fault
  li t1, 23
  beq t0, t1, guest_page_fault
  li t1, 10
  beq t0, t1, guest_done
  ori gp, gp, 0x200              # anything else is a bug: exit with 0x200 | case
  j fail

guest_page_fault:
  CASE 4
  csrr t2, htval                 # the faulting GPA >> 2 …
  slli t2, t2, 2                 # … back to a GPA (its low two bits are not kept)
  csrr t3, htinst                # 0: Spike writes no transformed instruction for an explicit access;
  bnez t3, fail                  #   this handler does not need one, as the instruction re-executes
  li t4, DATA_GPA                # only the array is demand-paged: any other GPA is a guest bug
  sub t5, t2, t4
  li t6, DATA_PAGES * 4096
  bgeu t5, t6, fail
  la t4, pool_end                # take the next host page (zero: .bss, and never handed out before)
  bgeu s10, t4, fail
  mv t4, s10
  li t6, 4096
  add s10, s10, t6
  srli t5, t2, 12                # G-stage leaf at gl0[GPA[20:12]] → the host page
  andi t5, t5, 0x1ff
  slli t5, t5, 3
  la t6, gl0
  add t6, t6, t5
  srli t4, t4, 12
  slli t4, t4, 10
  ori t4, t4, G_DATA
  sd t4, 0(t6)
  srli t5, t2, 2                 # HFENCE.GVMA rs1 = GPA >> 2: the store above is seen by later walks
  hfence.gvma t5, zero
  addi s11, s11, 1
  sret                           # SPV = 1, SPP = S still: back to VS at sepc, the faulting instruction

guest_done:
  CASE 5                         # the guest's ECALL: its sum, and one fault per array page
  li t1, EXPECTED_SUM
  bne a0, t1, fail
  CHECK s11, DATA_PAGES
  EXIT_PASS

# ---- 4. the guest: a VS-mode kernel, position-independent (it runs at GVA 0x8000_0000, not where it
# was linked), touching only a0–a7 -------------------------------------------------------------------
.section .text.user
guest_image:
  # Its Sv39 tables, written through the G-stage while vsatp is still Bare.
  li a0, GUEST_ROOT
  li a1, ((GUEST_BASE >> 12) << 10) | LEAF_RWX
  sd a1, 2 * 8(a0)               # root[2]: the 1 GiB at GVA 0x8000_0000 → GPA 0x8000_0000
  li a1, ((GUEST_L1 >> 12) << 10) | PTE_V
  sd a1, 1 * 8(a0)               # root[1] → the level-1 table (GVA 0x4000_0000 …)
  li a0, GUEST_L1
  li a1, ((GUEST_L0 >> 12) << 10) | PTE_V
  sd a1, 0(a0)                   # l1[0] → the level-0 table
  li a0, GUEST_L0
  li a1, ((DATA_GPA >> 12) << 10) | VS_DATA
  li a2, 1 << 10                 # one page further in the PPN field
  li a3, DATA_PAGES
1: sd a1, 0(a0)                  # l0[i] → GPA DATA_GPA + i·4 KiB
  add a1, a1, a2
  addi a0, a0, 8
  addi a3, a3, -1
  bnez a3, 1b
  # Paging on: satp, written in VS-mode, is vsatp.
  li a1, SATP_SV39 | (GUEST_ROOT >> 12)
  csrw satp, a1
  sfence.vma
  # Fill 3 pages: line i holds i². The first store to each page is a store guest-page fault.
  li a0, DATA_GVA
  li a1, 0
  li a2, FILLED
1: mul a3, a1, a1
  sd a3, 0(a0)
  addi a0, a0, LINE
  addi a1, a1, 1
  bne a1, a2, 1b
  # Sum all 4 pages: the 4th is first touched by this load, a load guest-page fault.
  li a4, DATA_GVA
  li a5, DATA_GVA + SUMMED * LINE
  li a0, 0
1: ld a3, 0(a4)
  add a0, a0, a3
  addi a4, a4, LINE
  bne a4, a5, 1b
  ecall                          # done: a0 = the sum, to the hypervisor

# ---- host memory ----------------------------------------------------------------------------------
.section .bss
.align 14
groot: .zero 16384               # Sv39x4 root: 16 KiB, 16 KiB-aligned
gl1: .zero 4096
gl0: .zero 4096
guest_root: .zero 4096           # host pages backing the guest's tables (GPA 0x8000_1000 …)
guest_l1: .zero 4096
guest_l0: .zero 4096
pool: .zero DATA_PAGES * 4096    # host pages the hypervisor gives out on guest-page faults
pool_end:
