/**
 * File names of an SSTable generation in a table directory.
 *
 *   rt-<generation>-<Component>        a finished component, e.g. rt-7-Data.db, rt-7-TOC.txt
 *   rt-<generation>-tmp-<Component>    being written; never read as part of an SSTable
 *
 * A generation is complete exactly when its final TOC exists: the writer renames the TOC into
 * place last, after every other component is durable under its final name (see writer.ts).
 */
import { joinPath } from '../../seams/index.js';

export const COMPONENTS = ['Data.db', 'Index.db', 'Summary.db', 'Filter.db', 'Statistics.db'] as const;
export type BinaryComponent = (typeof COMPONENTS)[number];
export const TOC_COMPONENT = 'TOC.txt';
export type Component = BinaryComponent | typeof TOC_COMPONENT;
export const ALL_COMPONENTS: readonly Component[] = [...COMPONENTS, TOC_COMPONENT];

const NAME = /^rt-(\d{1,15})-(tmp-)?(Data\.db|Index\.db|Summary\.db|Filter\.db|Statistics\.db|TOC\.txt)$/;

export interface ParsedName {
  readonly generation: number;
  readonly temporary: boolean;
  readonly component: Component;
}

export function componentPath(dir: string, generation: number, component: Component): string {
  return joinPath(dir, `rt-${generation}-${component}`);
}

export function tempComponentPath(dir: string, generation: number, component: Component): string {
  return joinPath(dir, `rt-${generation}-tmp-${component}`);
}

/** Parses an SSTable file name; null for anything else in the directory. */
export function parseComponentName(name: string): ParsedName | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  return { generation: Number(m[1]), temporary: m[2] !== undefined, component: m[3] as Component };
}
