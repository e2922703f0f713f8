/**
 * Which shard object holds an id: a fixed number of objects per store prefix, the id hashed (FNV-1a, 32
 * bits) onto one of them. A task and its value share the id and so the shard, which lets a transition
 * write the value in the same step as the status. The number of shards is fixed for a prefix's lifetime:
 * changing it would move ids to other objects.
 */
import type { RefCacheShard } from "./refcache-shard.js";
import { fnv1a } from "./shard-hash.js";

export type ShardStub = DurableObjectStub<RefCacheShard>;

export class ShardRouter {
  readonly #namespace: DurableObjectNamespace<RefCacheShard>;
  readonly #stubs: ShardStub[] = [];
  readonly prefix: string;
  readonly shardCount: number;

  constructor(namespace: DurableObjectNamespace<RefCacheShard>, prefix: string, shardCount: number) {
    this.#namespace = namespace;
    this.prefix = prefix;
    this.shardCount = shardCount;
  }

  /** The object name of shard `index`. */
  shardName(index: number): string {
    return `${this.prefix}:shard:${index}`;
  }

  /** The name of the ledger object that admits the creates counted against `maxActiveTasks`. */
  get ledgerName(): string {
    return `${this.prefix}:ledger`;
  }

  indexOf(id: string): number {
    return fnv1a(id) % this.shardCount;
  }

  shard(index: number): ShardStub {
    let stub = this.#stubs[index];
    if (stub === undefined) {
      stub = this.#namespace.get(this.#namespace.idFromName(this.shardName(index)));
      this.#stubs[index] = stub;
    }
    return stub;
  }

  /** The shard that holds `id` (task and value). */
  of(id: string): ShardStub {
    return this.shard(this.indexOf(id));
  }

  ledger(): ShardStub {
    return this.#namespace.get(this.#namespace.idFromName(this.ledgerName));
  }

  all(): ShardStub[] {
    return Array.from({ length: this.shardCount }, (_, i) => this.shard(i));
  }
}
