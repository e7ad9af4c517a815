// Metrics of density levels (src/density/sample.ts); METRICS in src/results/metrics.ts includes them.
import type { MetricInfo } from '../results/metric-info.js';

export const DENSITY_METRICS = {
  levelPssBytes: {
    unit: 'bytes',
    label: 'PSS of all N instances',
    smallerIsBetter: true,
    definition: 'sum of the PSS of the N idle instances of a density level',
  },
  marginalPssBytes: {
    unit: 'bytes',
    label: 'Marginal PSS of the N-th instance',
    smallerIsBetter: true,
    definition:
      'total PSS with N instances minus total PSS with N-1 (the N-th stopped); mean of the N measured after creation and after the N-th was started again',
    mayBeNonPositive: true,
  },
  marginalMemAvailableBytes: {
    unit: 'bytes',
    label: 'MemAvailable taken by the N-th instance',
    smallerIsBetter: true,
    definition: 'host MemAvailable with N-1 instances minus with N (noisy: host-wide)',
    mayBeNonPositive: true,
  },
  nthStartNs: {
    unit: 'ns',
    label: 'Start latency of the N-th instance while N-1 run',
    smallerIsBetter: true,
    definition: 'launch -> READY of one instance started while the N-1 others of the level sit idle',
  },
  levelIdleCpuPerSec: {
    unit: 'cpu-s/s',
    label: 'Host CPU of N idle instances',
    smallerIsBetter: true,
    definition: 'host CPU seconds per wall second of all N idle instances together, over the idle window',
    mayBeNonPositive: true,
  },
  creationAllReadyNs: {
    unit: 'ns',
    label: 'Time until all N are READY',
    smallerIsBetter: true,
    definition: 'first launch to the last READY when N instances are created with the scenario concurrency',
  },
  creationPerSec: {
    unit: 'count',
    label: 'Creation rate (instances/s)',
    smallerIsBetter: false,
    definition: 'N / time until all N are READY',
  },
  creationPerCorePerSec: {
    unit: 'count',
    label: 'Creation rate per host core (instances/core/s)',
    smallerIsBetter: false,
    definition: "creation rate / the host's cores (Firecracker's anchor: 5 microVMs per core per second)",
  },
  creationConcurrency: {
    unit: 'count',
    label: 'Creation concurrency',
    smallerIsBetter: false,
    definition: 'instances at most between launch and READY at once while a level is created',
  },
  thpMode: {
    unit: 'count',
    label: 'Transparent huge pages (0 never, 1 madvise, 2 always)',
    smallerIsBetter: true,
    definition: '/sys/kernel/mm/transparent_hugepage/enabled during the level',
    mayBeNonPositive: true,
  },
  ksmPssBytes: {
    unit: 'bytes',
    label: 'PSS per instance, KSM on',
    smallerIsBetter: true,
    definition: 'mean PSS per instance of the same N instances once KSM settled',
  },
  ksmMemAvailableDropBytes: {
    unit: 'bytes',
    label: 'MemAvailable drop per instance, KSM on',
    smallerIsBetter: true,
    definition: 'host MemAvailable before the level minus after KSM settled, divided by N',
    mayBeNonPositive: true,
  },
  ksmSavedPssBytes: {
    unit: 'bytes',
    label: 'Saved by KSM per instance (PSS)',
    smallerIsBetter: false,
    definition: 'PSS per instance just before KSM was switched on minus once it settled',
    mayBeNonPositive: true,
  },
  ksmPagesSharing: {
    unit: 'count',
    label: 'KSM pages_sharing',
    smallerIsBetter: false,
    definition:
      'host-wide pages_sharing once settled (page-table entries pointing at a merged page beyond the first: pages saved)',
    mayBeNonPositive: true,
  },
  ksmPagesShared: {
    unit: 'count',
    label: 'KSM pages_shared',
    smallerIsBetter: false,
    definition: 'host-wide pages_shared once settled (the merged pages kept)',
    mayBeNonPositive: true,
  },
  ksmSharingBytesPerInstance: {
    unit: 'bytes',
    label: 'KSM saved bytes per instance (pages_sharing)',
    smallerIsBetter: false,
    definition: 'pages_sharing x 4 KiB / N: host-wide, so it includes any other mergeable memory on the host',
    mayBeNonPositive: true,
  },
  ksmSettleNs: {
    unit: 'ns',
    label: 'KSM settle time',
    smallerIsBetter: true,
    definition:
      'KSM switched on until pages_sharing moved <= 1% between two full scans (after >= 3), or the cap',
  },
  ksmSettled: {
    unit: 'count',
    label: 'KSM settled before the cap (1/0)',
    smallerIsBetter: false,
    definition: '1 when pages_sharing was stable before ksmSettleTimeout, 0 when the cap ended the wait',
    mayBeNonPositive: true,
  },
  ksmFullScans: {
    unit: 'count',
    label: 'KSM full scans while settling',
    smallerIsBetter: true,
    definition: 'full_scans delta while waiting for KSM to settle',
  },
  ksmdCpuPerSec: {
    unit: 'cpu-s/s',
    label: 'ksmd CPU while settling',
    smallerIsBetter: true,
    definition: 'CPU seconds per wall second of the ksmd kernel thread while KSM settled',
    mayBeNonPositive: true,
  },
} as const satisfies Record<string, MetricInfo>;
