/**
 * Owners of the requests an SDK v1 server receives, by session. SDK v1 hands its task store only the
 * session id on `tasks/*` requests, never the auth info, so the adapter watches every message the server's
 * transport delivers and remembers the owner each session acts for (core's owner rule: the principal, the
 * session when chosen, else the anonymous owner). Without a session id (stdio, stateless HTTP) the owner of
 * the last message stands for the connection: build one server per request in stateless mode, as the SDK
 * documents, so concurrent requests never share it.
 */
import { resolveOwner } from "@mcp-refcache/core";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { OwnerContext, OwnerResolver } from "./options.js";

/** The part of the SDK's `Protocol` (`server.server`) this class hooks into. */
interface Connectable {
  connect(transport: Transport): Promise<void>;
}

const WATCHED = Symbol.for("mcp-refcache.session-owners");

export class SessionOwners {
  readonly #resolver: OwnerResolver;
  /** Sessions of the connected transport and the owner each acts for (one, but for an unknown session id). */
  readonly #owners = new Map<string | undefined, string>();

  constructor(resolver: OwnerResolver) {
    this.#resolver = resolver;
  }

  /** The owner of a request (throws ValidationError when the resolver answers something not an owner). */
  resolve(context: OwnerContext): string {
    return resolveOwner(this.#resolver(context));
  }

  /** Resolves the owner of a request and remembers it for its session. */
  learn(context: OwnerContext): string {
    const owner = this.resolve(context);
    this.#owners.set(context.sessionId, owner);
    return owner;
  }

  /** The owner a session acts for: learned from its messages, else what the resolver makes of the id alone. */
  ownerOf(sessionId: string | undefined): string {
    return this.#owners.get(sessionId) ?? this.resolve({ sessionId });
  }

  /**
   * Learns from every message `protocol`'s transport delivers, before the SDK handles it; forgets what it
   * learned when the protocol connects to another transport. Wraps `connect` once per protocol object.
   */
  watch(protocol: Connectable): void {
    const marked = protocol as Connectable & { [WATCHED]?: true };
    if (marked[WATCHED]) return;
    marked[WATCHED] = true;
    const connect = protocol.connect.bind(protocol);
    protocol.connect = async (transport: Transport) => {
      // One transport per server at a time (the SDK's model): what was learned of the last one goes.
      this.#owners.clear();
      await connect(transport);
      // Wrapped once the SDK has set its handler; transports deliver messages only after `start`.
      const onmessage = transport.onmessage;
      transport.onmessage = (message, extra) => {
        try {
          this.learn({ sessionId: transport.sessionId, authInfo: extra?.authInfo });
        } catch {
          // A resolver that fails is reported on the request's own path (tool calls resolve again).
        }
        onmessage?.(message, extra);
      };
    };
  }
}
