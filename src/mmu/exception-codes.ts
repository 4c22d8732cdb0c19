// The exception codes of mcause/scause (Priv. ISA, table "Machine cause register (mcause) values after
// trap"; H chapter for 10 and 20–23). The one table of them: the hart's traps (cpu/trap.ts), the
// translation faults (faults.ts) and a device's translation unit (the IOMMU's fault causes reuse
// these codes) all read it. It lives in mmu/ so that every layer above can import it.

/** Exception codes by name. */
export const CAUSE = {
  misalignedFetch: 0n, fetchAccess: 1n, illegalInstruction: 2n, breakpoint: 3n, misalignedLoad: 4n,
  loadAccess: 5n, misalignedStore: 6n, storeAccess: 7n, userEcall: 8n, supervisorEcall: 9n,
  virtualSupervisorEcall: 10n, machineEcall: 11n, fetchPageFault: 12n, loadPageFault: 13n,
  storePageFault: 15n, softwareCheck: 18n, hardwareError: 19n,
  fetchGuestPageFault: 20n, loadGuestPageFault: 21n, virtualInstruction: 22n,
  storeGuestPageFault: 23n,
} as const

/** The spec's name of each exception code. */
export const EXCEPTION_NAMES: ReadonlyMap<bigint, string> = new Map([
  [0n, 'instruction address misaligned'], [1n, 'instruction access fault'], [2n, 'illegal instruction'],
  [3n, 'breakpoint'], [4n, 'load address misaligned'], [5n, 'load access fault'],
  [6n, 'store/AMO address misaligned'], [7n, 'store/AMO access fault'], [8n, 'environment call from U-mode'],
  [9n, 'environment call from HS-mode'], [10n, 'environment call from VS-mode'], [11n, 'environment call from M-mode'],
  [12n, 'instruction page fault'], [13n, 'load page fault'], [15n, 'store/AMO page fault'],
  [18n, 'software check'], [19n, 'hardware error'],
  [20n, 'instruction guest-page fault'], [21n, 'load guest-page fault'], [22n, 'virtual instruction'],
  [23n, 'store/AMO guest-page fault'],
])

/** The kind of access that asked for a translation. `store` covers AMOs and SC. */
export type AccessType = 'fetch' | 'load' | 'store'

/** The three translation-related fault kinds, each with one code per access type. */
export type FaultKind = 'PageFault' | 'GuestPageFault' | 'AccessFault'

const BY_ACCESS: Readonly<Record<FaultKind, Readonly<Record<AccessType, bigint>>>> = {
  PageFault: { fetch: CAUSE.fetchPageFault, load: CAUSE.loadPageFault, store: CAUSE.storePageFault },
  GuestPageFault: { fetch: CAUSE.fetchGuestPageFault, load: CAUSE.loadGuestPageFault, store: CAUSE.storeGuestPageFault },
  AccessFault: { fetch: CAUSE.fetchAccess, load: CAUSE.loadAccess, store: CAUSE.storeAccess },
}

/**
 * The exception code of a fault kind on an access type.
 * @example causeOf('GuestPageFault', 'store') // 23n
 */
export const causeOf = (kind: FaultKind, access: AccessType): bigint => BY_ACCESS[kind][access]
