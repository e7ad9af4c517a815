// RAM per idle instance (host PSS; the VM's split into guest RAM / kernel image / hypervisor, and
// the guest's own view beside it). Density charts: density-charts.ts.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ReportModel } from '../model.js';
import { bytesToMiB, envColor, fmtMiB } from '../format.js';
import { ciTop, labelsPlugin, nLabel, whiskersPlugin } from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

const VM_PARTS = [
  { metric: 'guestRamPssBytes', label: 'VM: guest RAM touched (Guest OS + app)', color: '#e67e22' },
  { metric: 'kernelImagePssBytes', label: 'VM: kernel/initrd file mappings', color: '#f5b041' },
  { metric: 'hypervisorPssBytes', label: 'VM: hypervisor (qemu + TCG buffers)', color: '#922b21' },
] as const;

export function memoryChart(model: ReportModel): ChartEntry {
  const file = 'memory-idle.png';
  const title = 'RAM per idle instance';
  const rows = model.idle.filter((r) => r.metrics.pssBytes);
  if (rows.length === 0) return { file, title, skipped: 'this run has no idle memory samples' };
  const med = (r: (typeof rows)[number], m: string) => r.metrics[m]?.dist.median;
  const split = (r: (typeof rows)[number]) => VM_PARTS.every((p) => med(r, p.metric) !== undefined);
  const datasets: ChartDataset<'bar', (number | null)[]>[] = [
    {
      label: 'host PSS (all processes of the instance)',
      data: rows.map((r) => (split(r) ? null : bytesToMiB(med(r, 'pssBytes')!))),
      backgroundColor: rows.map((r) => envColor(r.env.id)),
      stack: 'host',
    },
    ...VM_PARTS.map((p) => ({
      label: p.label,
      data: rows.map((r) => (split(r) ? bytesToMiB(med(r, p.metric)!) : null)),
      backgroundColor: p.color,
      stack: 'host',
    })),
  ];
  const guestView = rows.some((r) => med(r, 'guestUsedBytes') !== undefined);
  if (guestView)
    datasets.push({
      label: "guest's own view: MemTotal - MemAvailable",
      data: rows.map((r) =>
        med(r, 'guestUsedBytes') === undefined ? null : bytesToMiB(med(r, 'guestUsedBytes')!),
      ),
      backgroundColor: 'rgba(230,126,34,0.25)',
      borderColor: '#e67e22',
      borderWidth: 2,
      stack: 'guest',
    });
  const offset = guestView ? -0.2 : 0;
  const pss = rows.map((r) => r.metrics.pssBytes!.dist);
  const config: ChartConfiguration<'bar', (number | null)[], string> = {
    type: 'bar',
    data: { labels: rows.map((r) => `${r.env.label} (${nLabel(r.metrics.pssBytes!.dist)})`), datasets },
    options: {
      plugins: {
        ...titleOptions(
          title,
          'median PSS after READY + settle; whisker = 95% CI of the total; number = total host PSS',
        ),
        legend: {
          position: 'bottom',
          labels: {
            boxWidth: 18,
            filter: (item) => datasets[item.datasetIndex ?? 0]?.data.some((v) => v !== null) ?? false,
          },
        },
      },
      scales: {
        x: { stacked: true, ticks: { font: { size: 17, weight: 'bold' } } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'MiB' }, grace: '12%' },
      },
    },
    plugins: [
      whiskersPlugin(
        pss.map((d, i) => ({ at: i, lo: bytesToMiB(d.ciLow), hi: bytesToMiB(d.ciHigh), offset })),
        false,
      ),
      labelsPlugin(
        pss.map((d, i) => ({
          at: i,
          value: bytesToMiB(ciTop(d.median, d.ciHigh)),
          text: fmtMiB(d.median),
          offset,
        })),
        false,
      ),
    ],
  };
  return {
    file,
    title,
    ...SLIDE,
    config: config as unknown as ChartConfiguration,
    caption: `Proportional set size on the host of one idle instance (${rows[0]!.workload} workload) after a settle time: every process of the instance, or qemu split by mapping. The light bar beside the VM's is what the guest kernel itself reports as used.`,
  };
}
