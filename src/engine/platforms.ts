// Platform presets: what fork() and a copy-on-write fault cost on a kind of host.
// fork() copies one PTE per resident 4 KiB page or one PMD per 2 MiB huge page
// (redis-doc latency.md). An entry that is still writable — its page was written since the
// previous fork, or there was none — must also be write-protected in the parent, which costs
// more than copying an entry an earlier fork already write-protected (kernel tables).

export interface PlatformPreset {
  id: string;
  label: string;
  /** fork() time per GiB mapped with 4 KiB pages whose PTEs are write-protected already. */
  forkUsecPerGiB: number;
  /** fork() time per GiB mapped with 4 KiB pages whose PTEs are writable. */
  forkWritableUsecPerGiB: number;
  /** fork() time per GiB mapped with 2 MiB huge pages, PMDs write-protected already. */
  forkUsecPerGiBHuge: number;
  /** fork() time per GiB mapped with 2 MiB huge pages, PMDs writable. */
  forkWritableUsecPerGiBHuge: number;
  /** fork() of a process with (almost) nothing mapped. */
  forkFixedUsec: number;
  /** One copy-on-write fault that copies a 4 KiB page. */
  cowFaultUsec: number;
  source: string;
}

// Reference VM, kernel tables: linear fits of fork() time over 256 MiB–6 GiB resident, µs/GiB.
const KERNEL_PTE_WP_USEC_PER_GIB = 13_535.9;
const KERNEL_PTE_WRITABLE_USEC_PER_GIB = 44_046.5;
const KERNEL_PMD_WP_USEC_PER_GIB = 352.5;
const KERNEL_PMD_WRITABLE_USEC_PER_GIB = 620.3;
/**
 * Writable vs write-protected PTEs: the cost of write-protecting each entry in the parent, on
 * the reference VM (kernel tables), a guest booted with PVM options where page-table writes are
 * likely the hypervisor's work.
 */
export const WRITABLE_PTE_COST_RATIO = KERNEL_PTE_WRITABLE_USEC_PER_GIB / KERNEL_PTE_WP_USEC_PER_GIB;
/**
 * The same ratio under hardware-walked page tables (EPT/NPT, or none): write-protecting an
 * entry is one more store to a line fork reads anyway. Measured with validation/fork-probe.sh
 * on a KVM guest (Intel Xeon, Linux 6.18), 0.5 and 1 GiB, refilled vs re-forked: 1.8–2.0
 * (test/fixtures/fork-probe-kvm.txt; 1.66 in an earlier run of the same probe).
 */
export const HARDWARE_PAGING_WRITABLE_PTE_COST_RATIO = 1.85;
/** Huge vs 4 KiB pages, both write-protected: one PMD stands for 512 PTEs. */
export const HUGE_PMD_COST_RATIO = KERNEL_PMD_WP_USEC_PER_GIB / KERNEL_PTE_WP_USEC_PER_GIB;
/** Huge pages with writable PMDs vs 4 KiB pages with write-protected PTEs. */
export const HUGE_WRITABLE_PMD_COST_RATIO = KERNEL_PMD_WRITABLE_USEC_PER_GIB / KERNEL_PTE_WP_USEC_PER_GIB;
/** Reference VM, kernel tables: fork() of an empty process. */
const FORK_FIXED_USEC = 240;
/**
 * Reference VM: median over the 14 redis-server 7.0.15 BGSAVE forks on 4 KiB pages in the
 * ground truth, each run's fork time per GiB taken back to write-protected PTEs (its pages
 * written since the previous fork counted at WRITABLE_PTE_COST_RATIO).
 */
const REFERENCE_FORK_USEC_PER_GIB = 50_020;
/** Reference VM: median parent system CPU per minor fault during those BGSAVEs. */
const REFERENCE_COW_FAULT_USEC = 61;

/**
 * A preset from its cost per GiB of write-protected 4 KiB PTEs; the other costs follow the
 * reference VM's kernel ratios. Published figures are `latest_fork_usec` of instances in
 * service, forked again and again, so they are taken as write-protected costs.
 */
export function presetFromForkCost(
  id: string,
  label: string,
  forkUsecPerGiB: number,
  source: string,
  writableRatio: number = WRITABLE_PTE_COST_RATIO,
): PlatformPreset {
  return {
    id,
    label,
    forkUsecPerGiB,
    forkWritableUsecPerGiB: forkUsecPerGiB * writableRatio,
    forkUsecPerGiBHuge: forkUsecPerGiB * HUGE_PMD_COST_RATIO,
    forkWritableUsecPerGiBHuge: forkUsecPerGiB * HUGE_WRITABLE_PMD_COST_RATIO,
    forkFixedUsec: FORK_FIXED_USEC,
    // Fault handling and fork are both page-table work under the same hypervisor: scale the
    // reference VM's measured fault cost by the platform's fork cost.
    cowFaultUsec: REFERENCE_COW_FAULT_USEC * (forkUsecPerGiB / REFERENCE_FORK_USEC_PER_GIB),
    source,
  };
}

const HW = HARDWARE_PAGING_WRITABLE_PTE_COST_RATIO;

// Xen PV guests have every page-table update validated by the hypervisor: they take the
// reference VM's ratio; the others walk page tables in hardware.
export const PLATFORM_PRESETS: readonly PlatformPreset[] = [
  presetFromForkCost('bare-metal', 'Bare-metal Xeon', 62_000 / 6.9, 'redis-doc latency.md: 6.9 GB forked in 62 ms', HW),
  presetFromForkCost('vmware', 'VMware VM', 77_000 / 6.0, 'redis-doc latency.md: 6.0 GB forked in 77 ms', HW),
  presetFromForkCost('kvm', 'KVM VM', 8_200 / 0.36, 'redis-doc latency.md: 360 MB forked in 8.2 ms', HW),
  presetFromForkCost('ec2-hvm', 'Amazon EC2 HVM instance', 10_000, 'redis-doc latency.md: 1 GB forked in 10 ms', HW),
  presetFromForkCost('xen-pv', 'Xen paravirtualised VM', 1_460_000 / 6.1, 'redis-doc latency.md: 6.1 GB forked in 1460 ms'),
  presetFromForkCost('linode-xen', 'Linode (Xen)', 382_000 / 0.9, 'redis-doc latency.md: 0.9 GB forked in 382 ms'),
  {
    ...presetFromForkCost(
      'reference-kvm',
      'forkcast reference VM (KVM guest, Linux 6.18, 2 vCPU AMD EPYC)',
      REFERENCE_FORK_USEC_PER_GIB,
      'measured: redis-server 7.0.15 BGSAVE runs and kernel fork/fault tables (ground truth)',
    ),
    cowFaultUsec: REFERENCE_COW_FAULT_USEC,
  },
];

export const PLATFORM_IDS = PLATFORM_PRESETS.map((p) => p.id) as [string, ...string[]];

export function platformPreset(id: string): PlatformPreset {
  const found = PLATFORM_PRESETS.find((p) => p.id === id);
  if (!found) throw new RangeError(`unknown platform preset ${id}`);
  return found;
}
