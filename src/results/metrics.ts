// Every metric ctvm records: its unit, label and direction. Names carry units (…Ns, …Bytes).
import { DENSITY_METRICS } from '../density/metrics.js';

export type { MetricInfo } from './metric-info.js';
import type { MetricInfo } from './metric-info.js';

export const METRICS = {
  startNs: {
    unit: 'ns',
    label: 'Start latency',
    smallerIsBetter: true,
    definition: "host monotonic time from the start of the launch (bare: the request to the launcher) to the workload's READY line reaching its first reader (the launcher relaying stdout; a VM's console reader)",
  },
  exitNs: {
    unit: 'ns',
    label: 'Exit latency',
    smallerIsBetter: true,
    definition: 'start of the launch until the instance is gone (bare: reaped by the launcher; container: reaped and cleaned up; VM: qemu exited)',
  },
  pssBytes: {
    unit: 'bytes',
    label: 'PSS per instance',
    smallerIsBetter: true,
    definition: 'proportional set size of every host process of the instance (cgroup members, or qemu)',
  },
  rssBytes: { unit: 'bytes', label: 'RSS per instance', smallerIsBetter: true, definition: 'resident set size, summed' },
  cgroupBytes: {
    unit: 'bytes',
    label: 'cgroup memory',
    smallerIsBetter: true,
    definition: "the instance cgroup's memory.current (v2) or memory.usage_in_bytes (v1)",
  },
  enginePssBytes: {
    unit: 'bytes',
    label: 'Engine daemons PSS (shared)',
    smallerIsBetter: true,
    definition: "PSS of the daemons an engine keeps for all its instances (docker: dockerd + containerd; lxd: its daemon), once, not per instance; not part of 'PSS per instance'",
  },
  memAvailableDropBytes: {
    unit: 'bytes',
    label: 'MemAvailable drop per instance',
    smallerIsBetter: true,
    definition: 'host MemAvailable before start minus after settle, divided by instances running',
    mayBeNonPositive: true,
  },
  guestTotalBytes: { unit: 'bytes', label: 'Guest MemTotal', smallerIsBetter: true, definition: "guest's /proc/meminfo MemTotal" },
  guestUsedBytes: {
    unit: 'bytes',
    label: 'Guest used (its own view)',
    smallerIsBetter: true,
    definition: 'guest MemTotal - MemAvailable, as the guest kernel reports it',
  },
  guestRamPssBytes: {
    unit: 'bytes',
    label: 'VM guest RAM touched (PSS)',
    smallerIsBetter: true,
    definition: "PSS of qemu's guest-RAM mapping: memory the guest OS + app actually touched",
  },
  kernelImagePssBytes: {
    unit: 'bytes',
    label: 'VM kernel/initrd file mappings (PSS)',
    smallerIsBetter: true,
    definition: 'PSS of file-backed mappings of the kernel and initramfs images (shared between guests)',
  },
  hypervisorPssBytes: {
    unit: 'bytes',
    label: 'Hypervisor (qemu own + accelerator) PSS',
    smallerIsBetter: true,
    definition: "PSS of qemu's remaining mappings: its binary, libraries, heap, TCG code buffer",
  },
  sentryPssBytes: {
    unit: 'bytes',
    label: "gVisor's sentry + gofer (PSS)",
    smallerIsBetter: true,
    definition:
      "oci:runsc: PSS of the runsc-sandbox (the sentry, gVisor's user-space kernel) and runsc-gofer (serves the rootfs) processes; part of pssBytes",
  },
  goferPssBytes: {
    unit: 'bytes',
    label: "gVisor's gofer (PSS)",
    smallerIsBetter: true,
    definition: 'oci:runsc: PSS of the runsc-gofer process alone (part of sentryPssBytes)',
  },
  runtimeParentPssBytes: {
    unit: 'bytes',
    label: 'OCI runtime parent process (PSS)',
    smallerIsBetter: true,
    definition:
      "oci:runsc: PSS of the foreground `runsc run` process that waits for the sandbox: outside the instance's cgroup and NOT in pssBytes (runc's and crun's `run` parent is not counted either)",
  },
  idleCpuPerSec: {
    unit: 'cpu-s/s',
    label: 'Idle CPU',
    smallerIsBetter: true,
    definition: 'host CPU seconds consumed per wall second by an idle instance after READY',
    mayBeNonPositive: true,
  },
  workNs: {
    unit: 'ns',
    label: 'Work duration',
    smallerIsBetter: true,
    definition: "host monotonic time from READY to the workload's RESULT line (the fixed work itself)",
  },
  cpuNs: {
    unit: 'ns',
    label: 'Host CPU time',
    smallerIsBetter: true,
    definition: 'user+system CPU time the host charged to the instance over its life',
  },
  guestUptimeAtInitNs: {
    unit: 'ns',
    label: 'Guest kernel boot (guest clock)',
    smallerIsBetter: true,
    definition: "guest's /proc/uptime when its /init started: kernel boot time as the guest measures it (VM only)",
  },
  throughputMBps: {
    unit: 'MB/s',
    label: 'Throughput',
    smallerIsBetter: false,
    definition: 'workload-reported throughput (mem copy, io write+fsync, fio read+write on the scratch disk)',
  },
  iops: {
    unit: 'op/s',
    label: 'I/O operations per second',
    smallerIsBetter: false,
    definition: 'fio-reported read+write IOPS on the scratch disk (O_DIRECT, libaio, iodepth 16, 3 s)',
  },
  randomAccessMups: {
    unit: 'Mup/s',
    label: 'Random access (GUPS-like)',
    smallerIsBetter: false,
    definition: 'probe gups: million XOR updates per second at random indices of a 64 MiB table',
  },
  rttP50Ns: {
    unit: 'ns',
    label: 'TCP round trip, median',
    smallerIsBetter: true,
    definition:
      'sockperf ping-pong over TCP from the lab netns to the instance on the lab bridge (14-byte messages, 2 s, --full-rtt): median round-trip time',
  },
  rttP99Ns: {
    unit: 'ns',
    label: 'TCP round trip, p99',
    smallerIsBetter: true,
    definition: 'the same sockperf ping-pong: 99th percentile of the round-trip time',
  },
  tcpBitsPerSec: {
    unit: 'bit/s',
    label: 'TCP throughput',
    smallerIsBetter: false,
    definition:
      "iperf3, one TCP stream from the lab netns to the instance on the lab bridge for 3 s: the receiver's bits per second",
  },
  redisGetOpsPerSec: {
    unit: 'op/s',
    label: 'redis GET rate',
    smallerIsBetter: false,
    definition:
      'redis-benchmark from the lab netns against redis-server in the instance (10 connections, 10,000 requests, no pipelining): GET requests per second',
  },
  redisSetOpsPerSec: {
    unit: 'op/s',
    label: 'redis SET rate',
    smallerIsBetter: false,
    definition: 'the same redis-benchmark: SET requests per second (no persistence: save and appendonly off)',
  },
  redisGetP50Ns: {
    unit: 'ns',
    label: 'redis GET latency, median',
    smallerIsBetter: true,
    definition: "the same redis-benchmark: median GET latency as the client measures it (redis-benchmark's own resolution)",
  },
  redisGetP99Ns: {
    unit: 'ns',
    label: 'redis GET latency, p99',
    smallerIsBetter: true,
    definition: 'the same redis-benchmark: 99th percentile GET latency',
  },
  redisSetP50Ns: {
    unit: 'ns',
    label: 'redis SET latency, median',
    smallerIsBetter: true,
    definition: 'the same redis-benchmark: median SET latency',
  },
  redisSetP99Ns: {
    unit: 'ns',
    label: 'redis SET latency, p99',
    smallerIsBetter: true,
    definition: 'the same redis-benchmark: 99th percentile SET latency',
  },
  ...DENSITY_METRICS,
} as const satisfies Record<string, MetricInfo>;

export type MetricName = keyof typeof METRICS;

/** Whether a ratio of two values of this metric is meaningful (both sides always > 0). */
export const hasRatio = (metric: string): boolean => !metricInfo(metric).mayBeNonPositive;

export function metricInfo(name: string): MetricInfo {
  return (METRICS as Record<string, MetricInfo>)[name] ?? { unit: 'count', label: name, smallerIsBetter: true, definition: name };
}
