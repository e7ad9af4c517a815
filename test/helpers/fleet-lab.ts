// A lab of simulated fleet hosts for tests: a lab network namespace holding a bridge, a
// controller namespace and N host namespaces joined to it by veth pairs (created inside the lab
// namespaces: the host's own interfaces are never touched), each host with its own sshd (host key,
// config, pidfile, log in the lab's temp dir), and the Ansible inventory that reaches them. Each
// sshd also listens on NOT_ROOT_PORT, where every login runs its commands as nobody (a host ctvm
// reaches without root). teardown() removes all of it and says what it could not remove.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CACHE_DIR, PROJECT_DIR } from '../../src/paths.js';

export interface LabHost {
  name: string;
  netns: string;
  address: string;
  sshd: ChildProcess;
}

export interface Lab {
  tmp: string;
  tag: string;
  controllerNetns: string;
  hosts: LabHost[];
  /** Writes (again) the lab's inventory with these per-host and common vars; returns its path. */
  writeInventory(
    hostVars?: Record<string, Record<string, unknown>>,
    commonVars?: Record<string, unknown>,
  ): string;
  /** Inventory vars that reach the lab's sshds (client key, known_hosts), for hand-made inventories. */
  connectVars: Record<string, unknown>;
  /** Environment for a controller command (Ansible's own state inside the lab's temp dir). */
  controllerEnv: NodeJS.ProcessEnv;
  teardown(): Promise<string[]>;
}

/**
 * A command inside a lab namespace: only the network namespace changes (nsenter --net), not the
 * mounts: `ip netns exec` mounts a fresh /sys, which hides /sys/fs/cgroup from ctvm's container.
 */
export const inNetns = (netns: string, argv: string[]): [string, string[]] => [
  'nsenter',
  [`--net=/run/netns/${netns}`, ...argv],
];

/** The simulated hosts' second port: the key logs in as root, but commands run as nobody (65534). */
export const NOT_ROOT_PORT = 2222;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export async function startLab(hostCount: number): Promise<Lab> {
  const tag = `ctvmfl${process.pid % 100000}`;
  const tmp = mkdtempSync(join(tmpdir(), 'ctvm-fleet-lab-'));
  const lab = `${tag}-lab`;
  const controllerNetns = `${tag}-ctl`;
  const names = Array.from({ length: hostCount }, (_, i) => `h${i + 1}`);
  const created: string[] = [];
  const hosts: LabHost[] = [];
  // sshd refuses to start without its privilege separation directory; Debian creates it only
  // when the (here never started) ssh service starts.
  const madePrivsep = !existsSync('/run/sshd');
  if (madePrivsep) mkdirSync('/run/sshd', { mode: 0o755 });
  const teardown = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const h of hosts) {
      h.sshd.kill('SIGTERM');
      if (h.sshd.exitCode === null && h.sshd.signalCode === null)
        await new Promise<void>((done) => h.sshd.once('exit', () => done()));
    }
    // sshd -D leaves its sessions running when it is stopped: anything still in a lab namespace
    // (a session, a command a host was running) is ended before the namespace goes.
    for (const ns of created) {
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      for (const pid of pids)
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
    }
    for (const ns of created.reverse())
      try {
        ip('netns', 'del', ns);
      } catch (err) {
        problems.push(`ip netns del ${ns}: ${String(err)}`);
      }
    if (madePrivsep) rmSync('/run/sshd', { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    return problems;
  };
  try {
    const addNetns = (ns: string) => {
      ip('netns', 'add', ns);
      created.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    };
    addNetns(lab);
    ip('-n', lab, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', lab, 'link', 'set', 'br0', 'up');
    const join_ = (ns: string, i: number, address: string) => {
      addNetns(ns);
      ip('-n', lab, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('-n', lab, 'link', 'set', `p${i}`, 'master', 'br0', 'up');
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
    };
    join_(controllerNetns, 0, '10.231.0.1');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'client_key')]);
    writeFileSync(join(tmp, 'authorized_keys'), readFileSync(join(tmp, 'client_key.pub')));
    const known: string[] = [];
    for (const [i, name] of names.entries()) {
      const netns = `${tag}-${name}`;
      const address = `10.231.0.${11 + i}`;
      join_(netns, i + 1, address);
      const dir = join(tmp, name);
      mkdirSync(join(dir, 'remote-tmp'), { recursive: true });
      const key = join(dir, 'ssh_host_ed25519_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      const hostKey = readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
      known.push(`${address} ${hostKey}`, `[${address}]:${NOT_ROOT_PORT} ${hostKey}`);
      const config = join(dir, 'sshd_config');
      writeFileSync(
        config,
        [
          `ListenAddress ${address}`,
          'Port 22',
          `Port ${NOT_ROOT_PORT}`,
          `HostKey ${key}`,
          `PidFile ${join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(tmp, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'Subsystem sftp /usr/lib/openssh/sftp-server',
          // A host without root: the session's command runs with uid/gid 65534 and no groups.
          `Match LocalPort ${NOT_ROOT_PORT}`,
          '  ForceCommand exec setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c "$SSH_ORIGINAL_COMMAND"',
          '',
        ].join('\n'),
      );
      const sshd = spawn(...inNetns(netns, ['/usr/sbin/sshd', '-D', '-e', '-f', config]), {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      sshd.stderr?.on('data', (d: Buffer) => writeFileSync(join(dir, 'sshd.log'), d, { flag: 'a' }));
      hosts.push({ name, netns, address, sshd });
    }
    writeFileSync(join(tmp, 'known_hosts'), known.join('\n') + '\n');
    await Promise.all(hosts.map((h) => waitForPort(h.netns, h.address)));
  } catch (err) {
    await teardown();
    throw err;
  }
  const connectVars = {
    ansible_user: 'root',
    ansible_ssh_private_key_file: join(tmp, 'client_key'),
    ansible_ssh_common_args: `-o UserKnownHostsFile=${join(tmp, 'known_hosts')} -o StrictHostKeyChecking=yes`,
  };
  const writeInventory: Lab['writeInventory'] = (hostVars = {}, commonVars = {}) => {
    const file = join(tmp, 'inventory.yaml');
    const inv = {
      all: {
        vars: { ...connectVars, ...commonVars },
        hosts: Object.fromEntries(
          hosts.map((h) => [
            h.name,
            {
              ansible_host: h.address,
              ansible_remote_tmp: join(tmp, h.name, 'remote-tmp'),
              ctvm_dir: join(tmp, h.name, 'ctvm'),
              ...hostVars[h.name],
            },
          ]),
        ),
      },
    };
    writeFileSync(file, stringify(inv));
    return file;
  };
  const controllerEnv = {
    ...process.env,
    ANSIBLE_HOME: join(tmp, 'ansible-home'),
    ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-local'),
  };
  return { tmp, tag, controllerNetns, hosts, writeInventory, connectVars, controllerEnv, teardown };
}

/** sshd is up when its port accepts a connection from the controller side. */
async function waitForPort(netns: string, address: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync(...inNetns(netns, ['bash', '-c', `exec 3<>/dev/tcp/${address}/22`]), {
        stdio: 'ignore',
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`sshd in ${netns} never listened on ${address}:22`);
}

/** What a lab with this tag left behind: netns, sshd processes. Empty = clean. */
export function labLeftovers(tag: string, tmp: string): string[] {
  const out: string[] = [];
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of netns.split('\n')) if (line.startsWith(tag)) out.push(`netns ${line.split(' ')[0]}`);
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  for (const line of ps.split('\n')) if (line.includes(tmp)) out.push(`process ${line.trim()}`);
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
  if (/\bp[0-9]+@/.test(links) && links.includes(tag)) out.push('veth on the host');
  if (existsSync(tmp)) out.push(`temp dir ${tmp}`);
  return out;
}

/**
 * ctvm_env for simulated hosts: the real set-up runs on each, but its `npm ci` works offline from
 * a copy of this machine's npm cache, and canvas installs through its documented prebuild path
 * (npm_config_canvas_local_prebuilds) from a tarball of the canvas this checkout built, instead
 * of compiling it once per host. The guest kernel comes from this checkout's cache dir.
 */
export function simulatedHostEnv(tmp: string): Record<string, string> {
  cpSync(join(homedir(), '.npm', '_cacache'), join(tmp, 'npm-cache', '_cacache'), { recursive: true });
  const canvas = join(PROJECT_DIR, 'node_modules/canvas');
  const { version } = JSON.parse(readFileSync(join(canvas, 'package.json'), 'utf8')) as { version: string };
  mkdirSync(join(tmp, 'prebuilds'), { recursive: true });
  const tarball = join(tmp, 'prebuilds', `canvas-v${version}-napi-v7-linux-x64.tar.gz`);
  execFileSync('tar', ['-czf', tarball, '-C', canvas, 'build/Release']);
  return {
    CTVM_CACHE_DIR: CACHE_DIR,
    npm_config_cache: join(tmp, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_canvas_local_prebuilds: join(tmp, 'prebuilds'),
  };
}
