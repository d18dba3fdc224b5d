/**
 * `npm run lint:deps` (second half): no two folders of the app import each other, directly or
 * through others. dependency-cruiser finds module cycles; this collapses the same graph to its
 * folders (`app/<folder>`, the modules at app/'s root, `server`) and fails on any cycle between
 * them, printing each one. The composition roots at app/'s root (engine, background, shopify,
 * db, env) may import any folder; a folder importing a root back is a cycle like any other.
 * `npm run lint:deps -- --graph` (or `tsx scripts/folder-cycles.ts --graph`) also prints the
 * folder graph as a mermaid flowchart.
 */
import { cruise, type ICruiseResult } from "dependency-cruiser";

const FOLDER = "^(app/[^/]+|server)";

async function folderGraph(): Promise<Map<string, Set<string>>> {
  const { output } = await cruise(["app", "server"], {
    collapse: FOLDER,
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(build|node_modules)/" },
  });
  const graph = new Map<string, Set<string>>();
  for (const module of (output as ICruiseResult).modules) {
    if (!/^(app|server)\//.test(module.source)) continue;
    const edges = graph.get(module.source) ?? new Set<string>();
    for (const dependency of module.dependencies) {
      if (dependency.resolved !== module.source && /^(app|server)\//.test(dependency.resolved)) edges.add(dependency.resolved);
    }
    graph.set(module.source, edges);
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function mermaid(graph: Map<string, Set<string>>): string {
  const name = (node: string) => node.replace(/^app\//, "").replace(/[^A-Za-z0-9]/g, "_");
  const lines = ["flowchart TD"];
  for (const [from, targets] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    for (const to of [...targets].sort()) lines.push(`  ${name(from)}["${from}"] --> ${name(to)}["${to}"]`);
  }
  return lines.join("\n") + "\n";
}

const graph = await folderGraph();
if (process.argv.includes("--graph")) process.stdout.write(mermaid(graph));
const found = cycles(graph);
if (found.length === 0) {
  process.stdout.write(`no folder cycles (${graph.size} folders and root modules of app/ and server/)\n`);
} else {
  for (const component of found) {
    process.stdout.write(`folder cycle: ${component.join(", ")}\n`);
    for (const from of component) {
      const to = [...(graph.get(from) ?? [])].filter((target) => component.includes(target));
      process.stdout.write(`  ${from} -> ${to.join(", ")}\n`);
    }
  }
  process.exitCode = 1;
}
