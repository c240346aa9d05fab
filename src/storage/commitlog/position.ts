/**
 * A place in the commit log: a segment and a byte offset inside it. Segment ids only grow (see
 * commit-log.ts), so positions order the whole log, across restarts too.
 */
export interface Position {
  readonly segmentId: number;
  readonly offset: number;
}

/** The name the storage engine uses. */
export type CommitLogPosition = Position;

/** Before every record of every log. */
export const MIN_POSITION: Position = Object.freeze({ segmentId: 0, offset: 0 });

/** Negative, zero or positive as a is before, at or after b. */
export function comparePositions(a: Position, b: Position): number {
  if (a.segmentId !== b.segmentId) return a.segmentId < b.segmentId ? -1 : 1;
  return a.offset === b.offset ? 0 : a.offset < b.offset ? -1 : 1;
}

export function formatPosition(p: Position): string {
  return `${p.segmentId}:${p.offset}`;
}
