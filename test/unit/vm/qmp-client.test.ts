// QmpClient against a scripted fake QMP server on a unix socket (no qemu needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QmpClient } from '../../../src/engine/vm/qmp-client.js';

const GREETING = {
  QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'Debian' }, capabilities: ['oob'] },
};

type Script = (cmd: { execute: string; id?: string; arguments?: unknown }, sock: Socket) => void;

/** A fake QMP server: sends the greeting, then answers each command line through `script`. */
async function fakeQmp(script: Script, opts: { greeting?: unknown; delayListenMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-qmp-test-'));
  const path = join(dir, 'qmp.sock');
  const received: string[] = [];
  const server: Server = createServer((sock) => {
    sock.write(JSON.stringify(opts.greeting ?? GREETING) + '\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const cmd = JSON.parse(line) as { execute: string; id?: string };
        received.push(cmd.execute);
        script(cmd, sock);
      }
    });
  });
  const listen = () => new Promise<void>((r) => server.listen(path, () => r()));
  if (opts.delayListenMs) setTimeout(() => void listen(), opts.delayListenMs);
  else await listen();
  return {
    path,
    received,
    close: () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const reply = (sock: Socket, id: string | undefined, ret: unknown) =>
  sock.write(JSON.stringify({ return: ret, id }) + '\r\n');

const standard: Script = (cmd, sock) => {
  switch (cmd.execute) {
    case 'qmp_capabilities':
      return reply(sock, cmd.id, {});
    case 'query-status':
      // An event arrives in between: the client must not mistake it for the answer.
      sock.write(JSON.stringify({ event: 'RESUME', timestamp: { seconds: 1, microseconds: 2 } }) + '\r\n');
      return reply(sock, cmd.id, { status: 'running', running: true, singlestep: false });
    case 'query-memory-size-summary':
      return reply(sock, cmd.id, { 'base-memory': 268435456, 'plugged-memory': 0 });
    case 'quit':
      reply(sock, cmd.id, {});
      sock.write(
        JSON.stringify({ event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } }) + '\r\n',
      );
      return void sock.end();
    default:
      return void sock.write(
        JSON.stringify({
          error: { class: 'CommandNotFound', desc: `The command ${cmd.execute} has not been found` },
          id: cmd.id,
        }) + '\r\n',
      );
  }
};

test('greeting, capabilities negotiation, then commands answered by id', async () => {
  const fake = await fakeQmp(standard);
  try {
    const qmp = await QmpClient.connect(fake.path);
    assert.equal(qmp.greeting.version.qemu.major, 7);
    assert.ok(qmp.greetingAtNs > 0);
    assert.deepEqual(fake.received, ['qmp_capabilities']);
    const events: string[] = [];
    qmp.onEvent((e) => events.push(e.event));
    assert.deepEqual(await qmp.queryStatus(), { status: 'running', running: true, singlestep: false });
    assert.deepEqual(events, ['RESUME']);
    assert.equal((await qmp.queryMemorySizeSummary())['base-memory'], 268435456);
    qmp.close();
  } finally {
    fake.close();
  }
});

test('concurrent commands resolve to their own answers even when answered out of order', async () => {
  const held: Array<() => void> = [];
  const fake = await fakeQmp((cmd, sock) => {
    if (cmd.execute === 'qmp_capabilities') return reply(sock, cmd.id, {});
    held.push(() => reply(sock, cmd.id, { name: cmd.execute }));
    if (held.length === 2) {
      held[1]!();
      held[0]!();
    }
  });
  try {
    const qmp = await QmpClient.connect(fake.path);
    const [a, b] = await Promise.all([qmp.execute('query-a'), qmp.execute('query-b')]);
    assert.deepEqual(a, { name: 'query-a' });
    assert.deepEqual(b, { name: 'query-b' });
    qmp.close();
  } finally {
    fake.close();
  }
});

test('a QMP error reply rejects with its class and description', async () => {
  const fake = await fakeQmp(standard);
  try {
    const qmp = await QmpClient.connect(fake.path);
    await assert.rejects(qmp.execute('no-such-thing'), {
      message: 'QMP no-such-thing: CommandNotFound: The command no-such-thing has not been found',
    });
    qmp.close();
  } finally {
    fake.close();
  }
});

test('quit: SHUTDOWN event delivered, socket closing is not an error, later commands reject', async () => {
  const fake = await fakeQmp(standard);
  try {
    const qmp = await QmpClient.connect(fake.path);
    const shutdown = qmp.waitEvent('SHUTDOWN', 2000);
    await qmp.quit();
    assert.equal((await shutdown).data?.reason, 'host-qmp-quit');
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(qmp.queryStatus(), /QMP query-status: QMP connection closed/);
  } finally {
    fake.close();
  }
});

test('pending commands reject when the server goes away', async () => {
  const fake = await fakeQmp((cmd, sock) => {
    if (cmd.execute === 'qmp_capabilities') return reply(sock, cmd.id, {});
    sock.destroy(); // qemu crashed mid-command
  });
  try {
    const qmp = await QmpClient.connect(fake.path);
    await assert.rejects(qmp.queryStatus(), /QMP query-status: QMP connection closed/);
  } finally {
    fake.close();
  }
});

test('connect retries until the socket appears (qemu still starting)', async () => {
  const fake = await fakeQmp(standard, { delayListenMs: 150 });
  try {
    const qmp = await QmpClient.connect(fake.path, 3000);
    assert.deepEqual(fake.received, ['qmp_capabilities']);
    qmp.close();
  } finally {
    fake.close();
  }
});

test('connect gives up with the socket path named after the timeout', async () => {
  await assert.rejects(
    QmpClient.connect('/nonexistent-ctvm/qmp.sock', 100),
    /QMP connect \/nonexistent-ctvm\/qmp\.sock: ENOENT/,
  );
});

test('a server that is not QMP is rejected', async () => {
  const fake = await fakeQmp(standard, { greeting: { hello: 'world' } });
  try {
    await assert.rejects(QmpClient.connect(fake.path), /expected a QMP greeting/);
  } finally {
    fake.close();
  }
});

test('a command with no answer times out with the command named', async () => {
  const fake = await fakeQmp((cmd, sock) => {
    if (cmd.execute === 'qmp_capabilities') reply(sock, cmd.id, {});
  });
  try {
    const qmp = await QmpClient.connect(fake.path);
    await assert.rejects(qmp.execute('query-status', undefined, 50), {
      message: 'QMP query-status: no answer within 50 ms',
    });
    qmp.close();
  } finally {
    fake.close();
  }
});
