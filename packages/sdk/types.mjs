// Builds dist/index.d.ts, the npm package's declarations, as one self-contained file (see
// docs/sdk.md "npm package"). Run by build.mjs; `node types.mjs` builds only this file.
//
// The SDK's public types re-export domain shapes from @flux/protocol, a private workspace
// package whose types are TypeBox `Static<typeof Schema>`. A merchant has neither, so:
//   1. TypeScript's checker expands every type @flux/protocol exports into a plain type literal
//      (`CallAgent = { id: string; … }`, `ErrorCode = "FLX_ERR_…" | …`), with its doc comment,
//      into a stand-in declaration file;
//   2. rolldown + rolldown-plugin-dts bundle the declarations of src/index.ts into one file,
//      resolving `@flux/protocol` to that stand-in (unused shapes are dropped).
// The result must import nothing: the build fails if it does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';
import ts from 'typescript';

/**
 * Declarations of what the SDK's sources import from @flux/protocol, TypeBox types expanded:
 * types as plain type literals, constants as their literal types.
 */
function protocolStandIn(root) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.build.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const program = ts.createProgram(config.fileNames, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const flags =
    ts.TypeFormatFlags.NoTruncation |
    ts.TypeFormatFlags.InTypeAlias |
    ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
    ts.TypeFormatFlags.MultilineObjectLiterals;
  const out = new Map();
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(join(root, 'src/'))) continue;
    for (const stmt of file.statements) {
      if (!ts.isImportDeclaration(stmt) || stmt.moduleSpecifier.text !== '@flux/protocol') continue;
      const names = stmt.importClause?.namedBindings;
      if (!names || !ts.isNamedImports(names))
        throw new Error(`types: ${file.fileName}: use named imports of @flux/protocol`);
      for (const el of names.elements) {
        const name = (el.propertyName ?? el.name).text;
        if (out.has(name)) continue;
        const symbol = checker.getAliasedSymbol(checker.getSymbolAtLocation(el.name));
        const isType = symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface);
        const type = isType
          ? checker.getDeclaredTypeOfSymbol(symbol)
          : checker.getTypeOfSymbolAtLocation(symbol, el);
        const text = checker.typeToString(type, undefined, flags);
        if (/\bimport\(|\btypeof\b|\bT[A-Z]\w*</.test(text))
          throw new Error(`types: @flux/protocol ${name} does not expand to plain types: ${text}`);
        // `type CallAgent = Static<typeof CallAgentSchema>` is documented on the schema.
        const schema = symbol.declarations?.[0]?.getText().match(/Static<typeof (\w+)>/)?.[1];
        const documented = schema
          ? (checker
              .getExportsOfModule(
                checker.getSymbolAtLocation(symbol.declarations[0].getSourceFile()),
              )
              .find((s) => s.name === schema) ?? symbol)
          : symbol;
        const doc = ts.displayPartsToString(documented.getDocumentationComment(checker)).trim();
        const comment = doc
          ? `/** ${doc.replace(/\*\//g, '*\\/').replace(/\n/g, '\n * ')} */\n`
          : '';
        out.set(
          name,
          comment +
            (isType ? `export type ${name} = ${text};` : `export declare const ${name}: ${text};`),
        );
      }
    }
  }
  return [...out.values()].join('\n') + '\n';
}

/** Writes `${dist}/index.d.ts`. */
export async function buildTypes(root, dist) {
  const tmp = mkdtempSync(join(tmpdir(), 'flux-sdk-types-'));
  try {
    const standIn = join(tmp, 'protocol.d.ts');
    writeFileSync(standIn, protocolStandIn(root));
    const tsconfig = join(tmp, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(root, 'tsconfig.build.json'),
        compilerOptions: { paths: { '@flux/protocol': [standIn] } },
        files: [join(root, 'src/index.ts')],
      }),
    );
    const bundle = await rolldown({
      input: { index: join(root, 'src/index.ts') },
      cwd: root,
      logLevel: 'warn',
      checks: { bundlerTimings: false }, // the declaration emit is slow by nature; no report
      plugins: [
        // eager: a whole-program declaration emit (the per-file one fails on re-exported types).
        dts({ tsconfig, emitDtsOnly: true, eager: true }),
      ],
    });
    await bundle.write({ dir: dist, format: 'es' });
    await bundle.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const out = readFileSync(join(dist, 'index.d.ts'), 'utf8');
  const imports = out.match(/^\s*import\b.*|\bimport\(.*|from\s+['"].*/gm);
  if (imports)
    throw new Error(`types: dist/index.d.ts must import nothing:\n${imports.join('\n')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = dirname(fileURLToPath(import.meta.url));
  await buildTypes(root, join(root, 'dist'));
}
