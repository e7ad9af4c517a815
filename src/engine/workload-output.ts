// One reading of a launched workload's output (bare, container and oci instances alike): the
// READY line tells the ReadyWatch, the last RESULT line is kept with its arrival time, and every
// line goes to the tail quoted in error messages. Protocol: src/workload/protocol.ts.
import type { PhaseTimeline, ResultLine } from './environment.js';
import { ReadyWatch, resultAtNs, Tail } from './line-stream.js';
import { parseResultLine, READY_LINE } from '../workload/protocol.js';
import type { Nanoseconds } from '../units.js';

/** Whether `line` is the READY line; surrounding whitespace (a '\r', padding) is ignored, as for RESULT. */
export function isReadyLine(line: string): boolean {
  return line.trim() === READY_LINE;
}

export class WorkloadOutput {
  readonly tail = new Tail();
  private last: ResultLine | undefined;

  constructor(private readonly watch: ReadyWatch) {}

  /** A line of a stream that speaks the protocol, stamped when its bytes reached us. */
  readonly line = (line: string, atNs: Nanoseconds): void => {
    this.tail.push(line);
    if (isReadyLine(line)) this.watch.line(atNs);
    const fields = parseResultLine(line);
    if (fields) this.last = { atNs, fields };
  };

  /** A line that is only kept for error messages (a stream the protocol is not read on). */
  readonly other = (line: string): void => this.tail.push(line);

  /** The last RESULT line, stamped by the launcher's `result` mark when it gave one, else by us. */
  result(events: PhaseTimeline): ResultLine | undefined {
    return this.last && { ...this.last, atNs: resultAtNs(events, this.last.atNs) };
  }
}
