// `ctvm report fleet-<id>`: renders results/fleet-<id>/ into reports/fleet-<id>/.
import { writeRendered } from '../../report/writer.js';
import { renderFleetReport } from './render-fleet.js';

export async function writeFleetReport(
  fleetDir: string,
  outDir: string,
  name?: string,
): Promise<{ dir: string; files: string[]; warnings: string[] }> {
  const rendered = await renderFleetReport(fleetDir);
  return { ...writeRendered(rendered, outDir, name), warnings: rendered.warnings };
}
