/**
 * The key of one permanent entry in a Map or Set that tasks enter and leave one at a time (the runs of
 * this process, the fresh ids of `newRefId`). V8 builds a new table for a Map or Set on every delete that
 * leaves it empty (a call into the runtime and ~150 bytes), so one that is emptied on every task pays that
 * on every task: ~8% of a lifecycle's CPU for the runs and ~4% for the fresh ids (bench/README.md). One
 * entry that is never removed keeps the table. No ref id is empty, so no task's key is this one; `size`
 * and iteration must leave it out.
 */
export const KEPT_KEY = "";
