/**
 * The internode schema. The source of truth is internode.proto beside this file (for other tools
 * and languages); it is embedded here as text because tsc copies only .ts to dist/ and src/ may not
 * read files outside the Fs seam. protobufjs parses it once at load time, so it works the same
 * from dist/ and under tap. test/net/schema.test.ts fails if the two ever differ.
 *
 * Field numbers are on the wire: never renumber a field, never reuse a removed one (reserve it).
 * proto3 names are snake_case here; protobufjs exposes them as camelCase in code.
 *
 * Adding a verb: add its message here, its number in verbs.ts (Verb), its payload type in
 * payloads.ts, its row in VERB_SPECS and its entry in PayloadOf. Nothing else changes.
 */
import protobuf from 'protobufjs';

export const INTERNODE_PROTO = `syntax = "proto3";
package ringtail.net;

// The body of every frame.
message Envelope {
  uint32 id = 1;                 // per sender, wraps at 2^32; a response carries its request's id
  uint32 verb = 2;               // Verb (verbs.ts)
  string sender_host_id = 3;     // the sender's host id (a UUID string)
  uint32 messaging_version = 4;  // must equal the version agreed in the handshake
  bytes payload = 5;             // the verb's message, encoded
}

// First frame on every connection, client to server.
message HandshakeRequest {
  string cluster_name = 1;
  uint32 messaging_version = 2;      // the highest version the client speaks
  uint32 min_messaging_version = 3;  // the lowest version the client speaks
  string endpoint = 4;               // the client's listen endpoint, "address:port"
  string host_id = 5;
  uint32 connection_class = 6;       // ConnectionClass (verbs.ts)
}

// The server's answer; on refusal the server closes the connection after sending it.
message HandshakeResponse {
  bool accepted = 1;
  string reason = 2;            // NetErrorCode when refused
  uint32 messaging_version = 3; // the version both will use
  string cluster_name = 4;
  string host_id = 5;
}

message GossipDigest {
  string endpoint = 1;
  uint64 generation = 2;   // the endpoint's start time, ms since the epoch
  uint32 max_version = 3;  // the highest version in its state (heartbeat or application state)
}

message VersionedValue {
  uint32 key = 1;          // ApplicationState (gossip/application-state.ts)
  string value = 2;
  uint32 version = 3;
}

message EndpointState {
  string endpoint = 1;
  uint64 generation = 2;
  uint32 heartbeat_version = 3;
  repeated VersionedValue states = 4;
}

message GossipDigestSyn {
  string cluster_name = 1;
  repeated GossipDigest digests = 2;  // empty: a shadow round asking for everything
}

message GossipDigestAck {
  repeated GossipDigest requests = 1; // send me your state for these, above max_version
  repeated EndpointState states = 2;  // newer than your digests, or unknown to you
}

message GossipDigestAck2 {
  repeated EndpointState states = 1;
}

message GossipShutdown {
  EndpointState state = 1;            // the sender's final state (STATUS shutdown)
}

message Echo {
  uint64 generation = 1;              // the responder's generation (0 in a request)
}
`;

const root = protobuf.parse(INTERNODE_PROTO, { keepCase: false }).root;

/** A message type of the internode schema, by its short name (e.g. 'Envelope'). */
export function messageType(name: string): protobuf.Type {
  return root.lookupType(`ringtail.net.${name}`);
}

/** How decoded messages become plain objects: 64-bit integers as numbers, absent fields defaulted. */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, defaults: true, arrays: true };
