// Where QEMU's virtio-iommu (hw/virtio/virtio-iommu.c) departs from the virtio specification's
// normative rules, each as a named switch. The default is the specification; `QEMU` sets every switch
// to QEMU's behaviour. README fragment: notes/virtio-readme.md, "Fidelity choices".

export interface Fidelity {
  /**
   * UNMAP over a range that would split a mapping. `spec`: RANGE and no mapping removed (UNMAP
   * device requirements). `qemu`: the mappings wholly inside the range that QEMU reaches before the
   * split one are removed, then RANGE (modelled in ascending IOVA order; QEMU's order follows its
   * search tree's shape).
   */
  readonly unmapSplit: 'spec' | 'qemu'
  /**
   * Address checks on MAP and ATTACH. `spec`: MAP checks the granule alignment of virt_start,
   * phys_start and virt_end + 1 (RANGE), input_range (RANGE) and overlap with a RESV_MEM region of an
   * attached endpoint (INVAL); ATTACH refuses an endpoint whose RESV_MEM regions the domain's mappings
   * overlap (UNSUPP). `qemu`: none of these (QEMU's MAP checks flags, the domain, bypass and overlap
   * with existing mappings only).
   */
  readonly mapChecks: 'spec' | 'qemu'
  /**
   * ATTACH of an endpoint that is already attached. `spec`: to the same domain, nothing to do (OK);
   * to an existing domain of the other bypass kind, INVAL and nothing changes; otherwise it moves.
   * `qemu`: the endpoint is always detached first (its old domain freed if that leaves it empty, even
   * when it is the requested one, mappings and all), then the bypass kind is checked (INVAL after the
   * detach) and the endpoint attached to the domain, created anew if it was freed.
   */
  readonly attachOrder: 'spec' | 'qemu'
  /** ATTACH with a non-zero reserved field: `spec` rejects it with INVAL (a MUST); `qemu` ignores it. */
  readonly attachReserved: 'spec' | 'qemu'
  /**
   * Fault-report flags. `spec`: READ or WRITE names the faulting access on every report, with ADDRESS.
   * `qemu`: READ/WRITE only on a permission fault; an unmapped address or missing domain has ADDRESS only.
   */
  readonly faultFlags: 'spec' | 'qemu'
  /**
   * How a DMA finds its mapping. `spec`: the mapping containing the IOVA. `qemu`: QEMU searches with
   * the two-byte interval [iova, iova + 1], so the byte just below a mapping hits that mapping too
   * (and translates to phys_start − 1).
   */
  readonly lookup: 'spec' | 'qemu'
  /**
   * A domain ID outside domain_range (DOMAIN_RANGE offered). `spec`: ATTACH, DETACH, MAP and UNMAP
   * complete with RANGE (the driver must not send them; RANGE is "out-of-range parameters").
   * `qemu`: not checked.
   */
  readonly domainRange: 'spec' | 'qemu'
  /**
   * A request type the device does not recognize. `spec`: the buffers are returned unwritten (used
   * length zero). `qemu`: the request completes with UNSUPP.
   */
  readonly unknownType: 'spec' | 'qemu'
}

/** The specification's behaviour everywhere: the default. */
export const SPEC: Fidelity = {
  unmapSplit: 'spec', mapChecks: 'spec', attachOrder: 'spec', attachReserved: 'spec', faultFlags: 'spec', lookup: 'spec',
  domainRange: 'spec', unknownType: 'spec',
}

/** QEMU's behaviour everywhere it differs from the specification. */
export const QEMU: Fidelity = {
  unmapSplit: 'qemu', mapChecks: 'qemu', attachOrder: 'qemu', attachReserved: 'qemu', faultFlags: 'qemu', lookup: 'qemu',
  domainRange: 'qemu', unknownType: 'qemu',
}

export type ModelName = 'spec' | 'qemu'
export const fidelityOf = (name: ModelName): Fidelity => (name === 'qemu' ? QEMU : SPEC)
