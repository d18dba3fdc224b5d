import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * Finds every GraphQL document the app sends to Shopify: template literals tagged with the
 * `#graphql` comment (Shopify's convention, which its codegen also reads), and every
 * `*.graphql(...)` call, so a call whose document is not such a literal is reported rather than
 * silently skipped.
 */
export const APP_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../app");

export interface GraphQLDocument {
  file: string;
  line: number;
  /** The constant it is assigned to, when it is */
  constant: string | null;
  text: string;
  /** A `${...}` inside the literal: the document is not known until run time */
  hasSubstitutions: boolean;
}

export interface GraphQLCall {
  file: string;
  line: number;
  /** How the document is passed: a constant's name, an inline #graphql literal, or anything else */
  argument: { kind: "constant"; name: string } | { kind: "literal" } | { kind: "other"; text: string };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

const isGraphQLLiteral = (node: ts.Node): node is ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression | ts.StringLiteral =>
  (ts.isNoSubstitutionTemplateLiteral(node) && node.text.trimStart().startsWith("#graphql")) ||
  (ts.isTemplateExpression(node) && node.head.text.trimStart().startsWith("#graphql")) ||
  (ts.isStringLiteral(node) && node.text.trimStart().startsWith("#graphql"));

export function findAppGraphQL(root = APP_ROOT): { documents: GraphQLDocument[]; calls: GraphQLCall[]; markers: number } {
  const documents: GraphQLDocument[] = [];
  const calls: GraphQLCall[] = [];
  let markers = 0;
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, "utf8");
    markers += text.match(/#graphql/g)?.length ?? 0;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const relative = path.relative(path.dirname(root), file);
    const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    const visit = (node: ts.Node) => {
      if (isGraphQLLiteral(node)) {
        const constant = ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : null;
        documents.push({
          file: relative,
          line: lineOf(node),
          constant,
          text: ts.isTemplateExpression(node) ? node.getText() : node.text,
          hasSubstitutions: ts.isTemplateExpression(node),
        });
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "graphql") {
        const [first] = node.arguments;
        const argument: GraphQLCall["argument"] = !first
          ? { kind: "other", text: "(no document)" }
          : ts.isIdentifier(first)
            ? { kind: "constant", name: first.text }
            : isGraphQLLiteral(first)
              ? { kind: "literal" }
              : { kind: "other", text: first.getText() };
        calls.push({ file: relative, line: lineOf(node), argument });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { documents, calls, markers };
}
