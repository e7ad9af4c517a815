// Running one command in a network namespace: apart from lab.ts so that a launcher that only
// wraps its command line (vm-instance.ts) does not load the lab's set-up code.

/** `nsenter` into a netns for one command (exec in place: the pid is the command's). */
export function inNetns(netnsPath: string, file: string, args: string[]): { file: string; args: string[] } {
  return { file: 'nsenter', args: [`--net=${netnsPath}`, '--', file, ...args] };
}
