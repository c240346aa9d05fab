/**
 * The payload of each verb as plain TypeScript values (the camelCase view of schema.ts). 64-bit
 * integers are numbers: the only ones (generations, ms timestamps) stay below 2^53, which the
 * decoder checks.
 */

export interface HandshakeRequest {
  clusterName: string;
  messagingVersion: number;
  minMessagingVersion: number;
  endpoint: string;
  hostId: string;
  connectionClass: number;
}

export interface HandshakeResponse {
  accepted: boolean;
  reason: string;
  messagingVersion: number;
  clusterName: string;
  hostId: string;
}

export interface GossipDigestWire {
  endpoint: string;
  generation: number;
  maxVersion: number;
}

export interface VersionedValueWire {
  key: number;
  value: string;
  version: number;
}

export interface EndpointStateWire {
  endpoint: string;
  generation: number;
  heartbeatVersion: number;
  states: VersionedValueWire[];
}

export interface GossipDigestSyn {
  clusterName: string;
  digests: GossipDigestWire[];
}

export interface GossipDigestAck {
  requests: GossipDigestWire[];
  states: EndpointStateWire[];
}

export interface GossipDigestAck2 {
  states: EndpointStateWire[];
}

export interface GossipShutdown {
  state: EndpointStateWire | null;
}

export interface Echo {
  generation: number;
}
