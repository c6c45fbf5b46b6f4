// Platform presets: what fork() and a copy-on-write fault cost on a kind of host.
// fork() copies one PTE per resident 4 KiB page or one PMD per 2 MiB huge page
// (redis-doc latency.md); published figures are µs per GiB of RSS with 4 KiB pages.

export interface PlatformPreset {
  id: string;
  label: string;
  /** fork() time per GiB of RSS mapped with 4 KiB pages. */
  forkUsecPerGiB: number;
  /** fork() time per GiB of RSS mapped with 2 MiB transparent huge pages. */
  forkUsecPerGiBHuge: number;
  /** fork() of a process with (almost) nothing mapped. */
  forkFixedUsec: number;
  /** One copy-on-write fault that copies a 4 KiB page. */
  cowFaultUsec: number;
  source: string;
}

/** Reference VM, kernel tables: PMD vs PTE fork cost per GiB, both with writable entries. */
const HUGE_TO_SMALL_FORK_RATIO = 620.3 / 44046.5;
/** Reference VM, kernel tables: fork() of an empty process. */
const FORK_FIXED_USEC = 240;
/** Reference VM: median fork µs per GiB over 14 redis-server 7.0 BGSAVEs with 4 KiB pages. */
const REFERENCE_FORK_USEC_PER_GIB = 58_650;
/** Reference VM: median parent system CPU per minor fault during those BGSAVEs. */
const REFERENCE_COW_FAULT_USEC = 61;

function preset(id: string, label: string, forkUsecPerGiB: number, source: string): PlatformPreset {
  return {
    id,
    label,
    forkUsecPerGiB,
    forkUsecPerGiBHuge: forkUsecPerGiB * HUGE_TO_SMALL_FORK_RATIO,
    forkFixedUsec: FORK_FIXED_USEC,
    // Fault handling and fork are both page-table work under the same hypervisor: scale the
    // reference VM's measured fault cost by the platform's fork cost.
    cowFaultUsec: REFERENCE_COW_FAULT_USEC * (forkUsecPerGiB / REFERENCE_FORK_USEC_PER_GIB),
    source,
  };
}

export const PLATFORM_PRESETS: readonly PlatformPreset[] = [
  preset('bare-metal', 'Bare-metal Xeon', 62_000 / 6.9, 'redis-doc latency.md: 6.9 GB forked in 62 ms'),
  preset('vmware', 'VMware VM', 77_000 / 6.0, 'redis-doc latency.md: 6.0 GB forked in 77 ms'),
  preset('kvm', 'KVM VM', 8_200 / 0.36, 'redis-doc latency.md: 360 MB forked in 8.2 ms'),
  preset('ec2-hvm', 'Amazon EC2 HVM instance', 10_000, 'redis-doc latency.md: 1 GB forked in 10 ms'),
  preset('xen-pv', 'Xen paravirtualised VM', 1_460_000 / 6.1, 'redis-doc latency.md: 6.1 GB forked in 1460 ms'),
  preset('linode-xen', 'Linode (Xen)', 382_000 / 0.9, 'redis-doc latency.md: 0.9 GB forked in 382 ms'),
  {
    ...preset(
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
