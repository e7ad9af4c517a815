// This test process's network namespaces (the lab netns and the instances' netns) still named in
// /run/netns: a test that made any ends with none.
import { readdirSync } from 'node:fs';
import { NETNS_DIR } from '../../src/net/lab.js';

export function ourNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR).filter((n) => n.includes(`-${process.pid}`));
  } catch {
    return [];
  }
}
