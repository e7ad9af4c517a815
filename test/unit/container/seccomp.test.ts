// The default seccomp profile (what it allows and denies) and its conversion to the helper's format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultSeccompProfile,
  seccompToHelper,
  type OciSeccomp,
} from '../../../src/engine/container/seccomp.js';
import { UsageError } from '../../../src/errors.js';

const allowedPlain = (p: OciSeccomp): Set<string> =>
  new Set(
    (p.syscalls ?? [])
      .filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length)
      .flatMap((r) => r.names),
  );

test('default profile: EPERM by default; what Docker denies without CAP_SYS_ADMIN is not allowed', () => {
  const p = defaultSeccompProfile();
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(p.defaultErrnoRet, 1);
  const allowed = allowedPlain(p);
  for (const denied of [
    'mount',
    'umount2',
    'unshare',
    'setns',
    'clone3',
    'keyctl',
    'add_key',
    'request_key',
    'bpf',
    'perf_event_open',
    'kexec_load',
    'kexec_file_load',
    'init_module',
    'finit_module',
    'delete_module',
    'swapon',
    'swapoff',
    'reboot',
    'settimeofday',
    'clock_settime',
    'open_by_handle_at',
    'userfaultfd',
    'fsopen',
    'fsmount',
    'move_mount',
    'open_tree',
    'pivot_root',
    'syslog',
    'acct',
    'quotactl',
    'iopl',
    'ioperm',
    'lookup_dcookie',
    'sethostname',
    'vhangup',
    'nfsservctl',
    'personality',
    'socket',
    'clone',
  ])
    assert.ok(!allowed.has(denied), `${denied} must not be allowed unconditionally`);
  for (const needed of ['read', 'write', 'execve', 'mmap', 'futex', 'exit_group', 'wait4', 'fork', 'chroot'])
    assert.ok(allowed.has(needed), `${needed} is allowed`);
  const clone = p.syscalls!.find((r) => r.names.includes('clone'))!;
  assert.deepEqual(clone.args, [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  const clone3 = p.syscalls!.find((r) => r.names.includes('clone3'))!;
  assert.equal(clone3.errnoRet, 38, 'ENOSYS, so that libc falls back to clone()');
});

test('with CAP_SYS_ADMIN (a bundle that grants it) the namespace calls are allowed, as in Docker', () => {
  const allowed = allowedPlain(defaultSeccompProfile(['CAP_SYS_ADMIN']));
  for (const s of ['mount', 'unshare', 'setns', 'clone', 'clone3']) assert.ok(allowed.has(s), s);
});

test('helper format: default, arches, one line per syscall with its conditions', () => {
  const text = seccompToHelper({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: ['kill'], action: 'SCMP_ACT_KILL_PROCESS' },
    ],
  });
  assert.equal(
    text,
    [
      'default errno:1',
      'arch x86_64',
      'arch x86',
      'rule allow read',
      'rule allow write',
      'rule allow socket 0 ne 40 0',
      'rule errno:38 clone3',
      'rule kill_process kill',
    ].join('\n'),
  );
  // The whole default profile converts, with no empty or odd lines.
  for (const line of seccompToHelper(defaultSeccompProfile()).split('\n'))
    assert.match(
      line,
      /^(default errno:1|arch [a-z0-9_]+|rule (allow|errno:\d+) [a-z0-9_]+( \d (ne|eq|masked_eq) \d+ \d+)?)$/,
    );
});

test('helper format: bad input is a UsageError naming the rule', () => {
  const bad = (p: unknown, re: RegExp): void =>
    assert.throws(
      () => seccompToHelper(p as OciSeccomp),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
  bad({ defaultAction: 'SCMP_ACT_NOPE' }, /unknown action 'SCMP_ACT_NOPE' in defaultAction/);
  bad({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'BOOM' }] }, /syscalls\[0\]/);
  bad(
    { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['rm -rf'], action: 'SCMP_ACT_ERRNO' }] },
    /bad syscall name/,
  );
  bad(
    {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['x'], action: 'SCMP_ACT_ERRNO', args: [{ index: 9, value: 1, op: 'SCMP_CMP_EQ' }] },
      ],
    },
    /bad argument condition/,
  );
});

test('the default profile is built once and frozen; its helper text is cached per profile object', () => {
  const a = defaultSeccompProfile();
  assert.equal(defaultSeccompProfile(), a, 'same object for the same capability set');
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.syscalls![0]!.names));
  assert.notEqual(defaultSeccompProfile(['CAP_SYS_ADMIN']), a);
  assert.equal(seccompToHelper(a), seccompToHelper(a));
});
