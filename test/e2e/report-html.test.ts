// index.html in real headless Chromium: every chart decodes (naturalWidth > 0), nothing is
// fetched from the network, and the page logs no console or page errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { requires } from '../helpers/requires.js';
import { writeReport } from '../../src/report/index.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/results/20261129-010000-quick');

test(
  'index.html renders offline in headless Chromium with every image decoded and no errors',
  { skip: requires('chromium'), timeout: 120_000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'ctvm-e2e-report-'));
    const profile = mkdtempSync(join(tmpdir(), 'ctvm-e2e-chromium-'));
    // A fresh profile dir (playwright passes it as --user-data-dir), removed afterwards.
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const { dir } = await writeReport(FIXTURE, out);
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
      page.on('request', (r) => !r.url().startsWith('data:') && requests.push(r.url()));
      const url = pathToFileURL(join(dir, 'index.html')).href;
      await page.goto(url, { waitUntil: 'load' });
      const images = await page.$$eval('img', (imgs) =>
        imgs.map((i) => ({ alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })),
      );
      // Figure 12.1, the isolation spectrum and 12 charts of the fixture run.
      assert.equal(images.length, 15, JSON.stringify(images));
      assert.ok(
        images.some((i) => i.alt.startsWith('Isolation spectrum')),
        'the isolation-spectrum chart is on the page',
      );
      for (const img of images)
        assert.ok(img.complete && img.w > 0 && img.h > 0, `image did not decode: ${JSON.stringify(img)}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [url], 'the page fetched nothing but itself');
      assert.match(await page.locator('.headline').innerText(), /faster than a TCG guest/);
    } finally {
      await browser.close();
      rmSync(out, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    }
  },
);
