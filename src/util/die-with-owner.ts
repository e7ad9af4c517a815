// qemu has no parent-death option: started directly, it runs on (ppid 1) after its owner is
// SIGKILLed. util-linux's setpriv sets PR_SET_PDEATHSIG and then execs qemu in place, so qemu's
// pid is the spawned pid and it gets SIGKILL when the Node thread that spawned it dies.
import { HostError } from '../errors.js';
import { which } from './which.js';

/** `file args…` wrapped so that the started process dies with this one. */
export function dieWithOwner(file: string, args: string[]): { file: string; args: string[] } {
  const setpriv = which('setpriv');
  if (!setpriv)
    throw new HostError('setpriv not found (it makes qemu die with ctvm)', {
      hint: 'apt-get install util-linux',
    });
  return { file: setpriv, args: ['--pdeathsig', 'KILL', '--', file, ...args] };
}
