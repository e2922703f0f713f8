/**
 * A shard object written by an earlier build of this package (values without a `version` or
 * `execute_only` column) is brought up to the current schema when it starts: its old values still read
 * (readable), and new ones keep their version and execute-only flag. Run in a probe object of its own, whose storage is laid out the old way before the shard's
 * tables open it.
 */
import { DurableObject } from "cloudflare:workers";
import { ShardTables } from "../../src/shard-tables.js";
import { describe, expect, it } from "./vitest-shim.js";

/** The test Worker binds it as PROBE: builds the old `vals` table, then opens it as a shard would. */
export class MigrationProbe extends DurableObject {
  run(): unknown[] {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS vals (
      key TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER, owner TEXT,
      chunks INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID`);
    sql.exec(`CREATE TABLE IF NOT EXISTS val_chunks (
      key TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID`);
    sql.exec("INSERT INTO vals VALUES ('old', 1, NULL, 'o', 1, 3)");
    sql.exec("INSERT INTO val_chunks VALUES ('old', 0, ?)", new TextEncoder().encode('"a"').buffer);
    const tables = new ShardTables(this.ctx.storage);
    tables.setValue("new", { data: '"b"', createdAt: 2, version: 42, executeOnly: true });
    const read = [tables.getValue("old", Date.now(), true), tables.getValue("new", Date.now(), true)];
    // Opening it again (the next start) changes nothing.
    const again = new ShardTables(this.ctx.storage);
    read.push(again.getValue("new", Date.now(), true));
    again.clear();
    return read;
  }
}

export function defineMigrationTests(env: () => Record<string, unknown>): void {
  describe("schema migration", () => {
    it("a shard written before values had a version reads its old values and keeps new versions and flags", async () => {
      const namespace = env().PROBE as DurableObjectNamespace<MigrationProbe>;
      const probe = namespace.get(namespace.idFromName(`probe-${crypto.randomUUID()}`));
      expect(await probe.run()).toEqual([
        { data: '"a"', createdAt: 1, owner: "o" },
        { data: '"b"', createdAt: 2, version: 42, executeOnly: true },
        { data: '"b"', createdAt: 2, version: 42, executeOnly: true },
      ]);
    });
  });
}
