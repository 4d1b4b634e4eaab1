// Lists exports of src/ that nothing imports: names no other file (src/, test/, bench/, scripts/) imports, and
// barrel re-exports nobody imports through the barrel. `node scripts/unused-exports.mjs`; exit 1 when any.
// Uses the TypeScript compiler the project already has; dist/ imports of bench and fixtures count as src/ ones.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const walk = (dir, ext) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : walk(p, ext);
    return ext.test(e.name) ? [p] : [];
  });
const tsFiles = ['src', 'test', 'bench'].flatMap((d) => walk(join(root, d), /\.ts$/));
const program = ts.createProgram(tsFiles, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
});
const checker = program.getTypeChecker();
const srcDir = join(root, 'src') + '/';
const key = (file, name) => `${relative(root, file)}#${name}`;
const usedThrough = new Set(); // module imported from, name
const usedOriginal = new Set(); // declaring file, name

function markSymbol(sym) {
  let s = sym;
  if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
  for (const d of s.declarations ?? []) usedOriginal.add(key(d.getSourceFile().fileName, s.name));
}
function markModuleExports(moduleSym) {
  for (const e of checker.getExportsOfModule(moduleSym)) markSymbol(e);
}

for (const sf of program.getSourceFiles()) {
  if (!sf.fileName.startsWith(root) || sf.fileName.includes('node_modules')) continue;
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const moduleSym = checker.getSymbolAtLocation(node.moduleSpecifier);
      const target = moduleSym?.declarations?.[0]?.getSourceFile().fileName;
      if (moduleSym && target) {
        const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
        if (!bindings || ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings)) {
          markModuleExports(moduleSym);
          for (const e of checker.getExportsOfModule(moduleSym)) usedThrough.add(key(target, e.name));
        } else {
          for (const el of bindings.elements) {
            const name = (el.propertyName ?? el.name).text;
            usedThrough.add(key(target, name));
            const exp = checker.getExportsOfModule(moduleSym).find((e) => e.name === name);
            if (exp) markSymbol(exp);
          }
        }
      }
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      const moduleSym = arg && checker.getSymbolAtLocation(arg);
      if (moduleSym) markModuleExports(moduleSym);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

// Plain-JS benches, fixtures and scripts import dist/ by name: `import { a } from '…/dist/x.js'`, `const { a } =
// await import('…/dist/x.js')`, and spawn dist/ files whole.
for (const file of [...walk(join(root, 'bench'), /\.(mjs|cjs|js)$/), ...walk(join(root, 'test'), /\.(mjs|cjs)$/)]) {
  const text = readFileSync(file, 'utf8');
  const re = /(?:import\s*\{([^}]*)\}\s*from|const\s*\{([^}]*)\}\s*=\s*(?:await\s+)?import\()\s*['"]([^'"]*dist\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const srcFile = join(root, 'src', m[3].replace(/^.*dist\//, '').replace(/\.js$/, '.ts'));
    for (const part of (m[1] ?? m[2]).split(',')) {
      const name = part.trim().split(/\s+as\s+|\s*:\s*/)[0];
      if (!name) continue;
      usedThrough.add(key(srcFile, name));
      const sf = program.getSourceFile(srcFile);
      const moduleSym = sf && checker.getSymbolAtLocation(sf);
      const exp = moduleSym && checker.getExportsOfModule(moduleSym).find((e) => e.name === name);
      if (exp) markSymbol(exp);
    }
  }
}

// Types are listed only with --types: an exported option or result type that no importer names is harmless.
const withTypes = process.argv.includes('--types');
const unused = [];
for (const sf of program.getSourceFiles()) {
  if (!sf.fileName.startsWith(srcDir)) continue;
  const moduleSym = checker.getSymbolAtLocation(sf);
  if (!moduleSym) continue;
  // Entry points are run, not imported.
  if (/\/cli\/main\.ts$|-worker\.ts$/.test(sf.fileName)) continue;
  for (const e of checker.getExportsOfModule(moduleSym)) {
    const original = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    const declFile = original.declarations?.[0]?.getSourceFile().fileName;
    const isType = !(original.flags & ts.SymbolFlags.Value);
    if (isType && !withTypes) continue;
    const reexport = declFile !== sf.fileName;
    const used = reexport ? usedThrough.has(key(sf.fileName, e.name)) : usedOriginal.has(key(sf.fileName, e.name));
    if (!used) unused.push(`${relative(root, sf.fileName)}: ${e.name}${reexport ? ' (re-export)' : ''}${isType ? ' (type)' : ''}`);
  }
}
for (const u of unused.sort()) console.log(u);
console.error(`${unused.length} exports nothing imports`);
process.exitCode = unused.length > 0 ? 1 : 0;
