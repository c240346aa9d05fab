/**
 * The TOC (table of contents): written last, its presence is what makes a generation exist.
 *
 *   TOC.txt   := formatLine componentLine{5} checksumLine
 *   formatLine    := "ringtail-sstable " formatVersion "\n"
 *   componentLine := componentName " " sizeBytes "\n"      Data.db Index.db Summary.db Filter.db Statistics.db
 *   checksumLine  := "xxh32 " 8 lowercase hex digits "\n"  xxh32 of every byte before this line
 *
 * The sizes let open() detect a truncated component before reading it.
 */
import { xxh32 } from '../../hash/index.js';
import { FORMAT_VERSION } from './bytes.js';
import { COMPONENTS, type BinaryComponent } from './descriptor.js';
import { SSTableCorruptError } from './errors.js';

export type ComponentSizes = Record<BinaryComponent, number>;

export function encodeToc(sizes: ComponentSizes): Buffer {
  let text = `ringtail-sstable ${FORMAT_VERSION}\n`;
  for (const c of COMPONENTS) text += `${c} ${sizes[c]}\n`;
  const body = Buffer.from(text, 'latin1');
  const sum = xxh32(body).toString(16).padStart(8, '0');
  return Buffer.concat([body, Buffer.from(`xxh32 ${sum}\n`, 'latin1')]);
}

export function decodeToc(buf: Buffer, path: string): ComponentSizes {
  const corrupt = (reason: string): SSTableCorruptError => new SSTableCorruptError(path, 0, buf.length, reason);
  const text = buf.toString('latin1');
  const at = text.lastIndexOf('xxh32 ', text.length - 2);
  if (at < 0 || !text.endsWith('\n')) throw corrupt('missing checksum line');
  const declared = text.slice(at + 6, text.length - 1);
  if (!/^[0-9a-f]{8}$/.test(declared) || parseInt(declared, 16) !== xxh32(buf.subarray(0, at))) throw corrupt('checksum mismatch');
  const lines = text.slice(0, at).split('\n');
  lines.pop();
  if (lines[0] !== `ringtail-sstable ${FORMAT_VERSION}`) throw corrupt(`unsupported format line "${lines[0]}"`);
  if (lines.length !== COMPONENTS.length + 1) throw corrupt('wrong number of component lines');
  const sizes = {} as ComponentSizes;
  COMPONENTS.forEach((c, i) => {
    const m = /^(\S+) (\d{1,15})$/.exec(lines[i + 1]);
    if (m === null || m[1] !== c) throw corrupt(`bad component line "${lines[i + 1]}"`);
    sizes[c] = Number(m[2]);
  });
  return sizes;
}
