// `vagrant validate` on vagrant/Vagrantfile: offline (no box download, no libvirtd, no VM), with a
// private VAGRANT_HOME and dotfile dir so nothing is written to ~/.vagrant.d or vagrant/.vagrant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { execFileSync, requires } from '../../helpers/requires.js';

const VAGRANT_DIR = join(import.meta.dirname, '../../../vagrant');

function libvirtPluginMissing(): string | false {
  if (requires('vagrant')) return requires('vagrant');
  const home = mkdtempSync(join(tmpdir(), 'ctvm-regress-vagrant-probe-'));
  let list: string;
  try {
    list = execFileSync('vagrant', ['plugin', 'list'], {
      encoding: 'utf8',
      env: { ...process.env, VAGRANT_HOME: home },
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  if (/vagrant-libvirt/.test(list)) return false;
  console.log('# skip: needs the vagrant-libvirt plugin (apt-get install vagrant-libvirt)');
  return 'needs the vagrant-libvirt plugin (apt-get install vagrant-libvirt)';
}

const tmps: string[] = [];
function tmp(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `ctvm-regress-vagrant-${tag}-`));
  tmps.push(d);
  return d;
}

async function validate(dir: string) {
  return execa('vagrant', ['validate'], {
    cwd: dir,
    reject: false,
    env: { VAGRANT_HOME: tmp('home'), VAGRANT_DOTFILE_PATH: tmp('dot'), VAGRANT_CHECKPOINT_DISABLE: '1' },
  });
}

test(
  'vagrant validate passes for both boxes (v2 default, v1) with the libvirt provider',
  { skip: libvirtPluginMissing() },
  async (t) => {
    t.after(() => tmps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
    const r = await validate(VAGRANT_DIR);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Vagrantfile validated successfully/);
    const text = readFileSync(join(VAGRANT_DIR, 'Vagrantfile'), 'utf8');
    assert.match(text, /systemd\.unified_cgroup_hierarchy=0 systemd\.legacy_systemd_cgroup_controller/);
    assert.match(text, /cpu_mode = "host-passthrough"/);
    assert.match(text, /nested = true/);
    // The copy-back the header promises: a host-side trigger after up/provision per box.
    assert.match(text, /box\.trigger\.after \[:up, :provision\]/);
    assert.match(text, /results\/vagrant-#\{mode\}/);
    assert.match(text, /tar -C \/home\/vagrant\/ctvm -cf - results reports/);
  },
);

test(
  'vagrant validate really checks the libvirt provider config (a typo fails)',
  { skip: libvirtPluginMissing() },
  async (t) => {
    t.after(() => tmps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
    const copy = tmp('copy');
    cpSync(VAGRANT_DIR, copy, { recursive: true, filter: (src) => !src.includes('.vagrant') });
    const file = join(copy, 'Vagrantfile');
    writeFileSync(file, readFileSync(file, 'utf8').replace('lv.nested = true', 'lv.nestd = true'));
    const r = await validate(copy);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout + r.stderr, /The following settings shouldn't exist: nestd/);
  },
);

test('provisioning scripts are valid POSIX sh', { skip: requires('linux') }, async () => {
  for (const f of ['cgroup-mode.sh', 'setup.sh', 'bench.sh']) {
    const r = await execa('sh', ['-n', join(VAGRANT_DIR, 'provision', f)], { reject: false });
    assert.equal(r.exitCode, 0, `${f}: ${r.stderr}`);
  }
});
