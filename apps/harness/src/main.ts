import { runScenario } from "./scenario.js";

const outcomes = await runScenario({ log: (line) => console.log(line) });
const summary = outcomes.map((o) => `${o.name}: ${o.immediate} → ${o.status}`).join("\n  ");
console.log(`\nsummary:\n  ${summary}`);
