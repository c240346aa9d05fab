/**
 * Replica placement: walk the ring clockwise from a token range and collect its replicas, as
 * Cassandra's SimpleStrategy and NetworkTopologyStrategy.calculateNaturalReplicas do. Works on a
 * Layout of small integers (owner, datacenter and rack indexes) so the walk allocates only its
 * result.
 */
import type { NetworkTopologyStrategy } from './strategy.js';

/** The ring flattened for placement. Owners are the endpoints that own tokens. */
export interface Layout {
  /** Number of owned tokens; token position i starts range i = (token[i-1], token[i]]. */
  readonly n: number;
  /** Owner index of each token position. */
  readonly owner: Int32Array;
  readonly ownerCount: number;
  /** Datacenter index of each owner. */
  readonly ownerDc: Int32Array;
  /** Rack index of each owner, unique across datacenters. */
  readonly ownerRack: Int32Array;
  readonly dcNames: readonly string[];
  /** Owners per datacenter index. */
  readonly dcNodeCount: readonly number[];
  /** Distinct racks per datacenter index. */
  readonly dcRackCount: readonly number[];
  readonly rackCount: number;
  /** Scratch stamps for the walks; never observable outside a walk. */
  readonly seenOwner: Int32Array;
  readonly seenRack: Int32Array;
  stamp: number;
}

export function buildLayout(owner: Int32Array, ownerDcName: readonly string[], ownerRackName: readonly string[]): Layout {
  const ownerCount = ownerDcName.length;
  const dcIndex = new Map<string, number>();
  const rackIndex = new Map<string, number>();
  const ownerDc = new Int32Array(ownerCount);
  const ownerRack = new Int32Array(ownerCount);
  const dcNodeCount: number[] = [];
  const dcRackCount: number[] = [];
  for (let o = 0; o < ownerCount; o++) {
    const dc = ownerDcName[o]!;
    let d = dcIndex.get(dc);
    if (d === undefined) {
      d = dcIndex.size;
      dcIndex.set(dc, d);
      dcNodeCount.push(0);
      dcRackCount.push(0);
    }
    dcNodeCount[d]!++;
    ownerDc[o] = d;
    // JSON keeps (dc, rack) pairs distinct whatever characters the names hold.
    const rackKey = JSON.stringify([dc, ownerRackName[o]!]);
    let r = rackIndex.get(rackKey);
    if (r === undefined) {
      r = rackIndex.size;
      rackIndex.set(rackKey, r);
      dcRackCount[d]!++;
    }
    ownerRack[o] = r;
  }
  return {
    n: owner.length,
    owner,
    ownerCount,
    ownerDc,
    ownerRack,
    dcNames: [...dcIndex.keys()],
    dcNodeCount,
    dcRackCount,
    rackCount: rackIndex.size,
    seenOwner: new Int32Array(ownerCount),
    seenRack: new Int32Array(rackIndex.size),
    stamp: 0,
  };
}

function nextStamp(layout: Layout): number {
  if (layout.stamp === 0x7fffffff) {
    layout.seenOwner.fill(0);
    layout.seenRack.fill(0);
    layout.stamp = 0;
  }
  return ++layout.stamp;
}

/** SimpleStrategy: the first `rf` distinct owners clockwise from token position `start`. */
export function simpleReplicas(layout: Layout, start: number, rf: number): number[] {
  const want = rf < layout.ownerCount ? rf : layout.ownerCount;
  const out: number[] = [];
  if (want === 0) return out;
  const { n, owner, seenOwner } = layout;
  const stamp = nextStamp(layout);
  for (let k = 0, i = start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
    const o = owner[i]!;
    if (seenOwner[o] === stamp) continue;
    seenOwner[o] = stamp;
    out.push(o);
    if (out.length === want) break;
  }
  return out;
}

/** What a NetworkTopologyStrategy needs per datacenter index of one Layout, computed once. */
export interface NtsPlan {
  /** Replicas still to place per datacenter at the start of a walk: min(rf, nodes). */
  readonly rfLeft: Int32Array;
  /** Rack repeats allowed per datacenter: rf - racks (Cassandra's acceptableRackRepeats). */
  readonly repeats: Int32Array;
  readonly dcsToFill: number;
}

export function ntsPlan(layout: Layout, strategy: NetworkTopologyStrategy): NtsPlan {
  const dcs = layout.dcNames.length;
  const rfLeft = new Int32Array(dcs);
  const repeats = new Int32Array(dcs);
  let dcsToFill = 0;
  for (let d = 0; d < dcs; d++) {
    const rf = strategy.factors[layout.dcNames[d]!] ?? 0;
    const nodes = layout.dcNodeCount[d]!;
    if (rf <= 0 || nodes <= 0) continue;
    rfLeft[d] = Math.min(rf, nodes);
    repeats[d] = rf - layout.dcRackCount[d]!;
    dcsToFill++;
  }
  return { rfLeft, repeats, dcsToFill };
}

/**
 * NetworkTopologyStrategy: per datacenter, distinct racks first; when a datacenter has fewer racks
 * than its factor, the first owners met from already-used racks fill the difference. One pass
 * clockwise, stopping when every datacenter is full (Cassandra's calculateNaturalReplicas).
 */
export function ntsReplicas(layout: Layout, start: number, plan: NtsPlan): number[] {
  const out: number[] = [];
  let dcsToFill = plan.dcsToFill;
  if (dcsToFill === 0) return out;
  const rfLeft = plan.rfLeft.slice();
  const repeats = plan.repeats.slice();
  const { n, owner, ownerDc, ownerRack, seenOwner, seenRack } = layout;
  const stamp = nextStamp(layout);
  for (let k = 0, i = start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
    const o = owner[i]!;
    const d = ownerDc[o]!;
    if (rfLeft[d] === 0) continue;
    const r = ownerRack[o]!;
    if (seenRack[r] !== stamp) {
      seenRack[r] = stamp;
      seenOwner[o] = stamp;
    } else {
      if (repeats[d]! <= 0 || seenOwner[o] === stamp) continue;
      seenOwner[o] = stamp;
      repeats[d]!--;
    }
    out.push(o);
    if (--rfLeft[d]! === 0 && --dcsToFill === 0) break;
  }
  return out;
}
