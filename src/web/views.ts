// The EJS engine as the app uses it. By default EJS wraps each compiled view in `with (locals) { … }`, so that a view
// can name its locals directly; but inside `with` every name the view touches (its locals, its own variables, EJS's
// __append) is looked up dynamically, which V8 cannot optimise (the board rendered about three times slower; see
// docs/performance-history.md). So views are compiled without `with`, and each view's locals are declared as
// variables at its top instead: every name that appears in its code tags, but JavaScript's own words, the globals and
// EJS's names.
// Views still name their locals directly; a name a view uses but the render does not pass is `undefined`, as
// `typeof` sees it under `with` too.
import ejs from "ejs";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const JS_WORDS = new Set(
  ("arguments async await break case catch class const continue debugger default delete do else enum eval export extends false " +
    "finally for function get if implements import in instanceof interface let new null of package private protected public " +
    "return set static super switch this throw true try typeof undefined var void while with yield").split(" "),
);
/** The compiled view's parameters and locals (ejs.js: `locals, escapeFn, include, rethrow`, and names starting "__"). */
const EJS_NAMES = new Set(["locals", "escapeFn", "include", "rethrow"]);

/** The code in a view's tags (`<% %>`, `<%= %>`, `<%- %>`, `<%_ %>`), without comments (`<%# %>`) and literal `<%%`. */
function codeOf(template: string): string[] {
  return [...template.matchAll(/<%(?!%)([_=-]?)([\s\S]*?)[-_]?%>/g)].map((m) => m[2]!).filter((code) => !code.startsWith("#"));
}

/**
 * Code without its string literals (a template literal keeps its `${…}` parts) and comments: the words in them are
 * not names.
 */
function withoutStrings(code: string): string {
  return code
    .replace(/`(?:\\.|[^`\\])*`/g, (literal) => [...literal.matchAll(/\$\{([^}]*)\}/g)].map((m) => ` ${m[1]} `).join(""))
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, "''")
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, " ");
}

/**
 * The names a view may take from its locals: identifiers in its code that are not a property (after a dot), not a
 * JavaScript word, a global or an EJS name, and not declared by the view with let, const or function (a `var` of
 * the same name at the top would clash with those, or overwrite the function).
 */
function localNamesOf(template: string): string[] {
  const names = new Set<string>();
  const declared = new Set<string>();
  for (const code of codeOf(template).map(withoutStrings)) {
    for (const m of code.matchAll(/\b(?:let|const|function)\s+([A-Za-z_$][\w$]*)/g)) declared.add(m[1]!);
    for (const m of code.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) names.add(m[0]);
  }
  return [...names]
    .filter((n) => !JS_WORDS.has(n) && !EJS_NAMES.has(n) && !n.startsWith("__") && !(n in globalThis) && !declared.has(n))
    .sort();
}

/**
 * A view's text with its locals declared at the top, in a code tag that writes nothing and holds no newline (so the
 * line numbers of errors stay right): `<% var __own = Object.hasOwn, a = __own(locals, "a") ? locals.a : undefined; %>`.
 * Only the locals' own properties are read: the engine passes plain objects (fast to copy), and nothing inherited
 * (a name added to Object.prototype) reaches a view, which is what EJS's copy into an object without a prototype
 * protected against. A `var` the view declares again is legal JavaScript and simply assigns it.
 */
export function withLocalsDeclared(template: string): string {
  const names = localNamesOf(template);
  return names.length ? `<% var __own = Object.hasOwn, ${names.map((n) => `${n} = __own(locals, "${n}") ? locals.${n} : undefined`).join(", ")}; %>${template}` : template;
}

/**
 * A view's text with the literal paths of its includes made absolute (`include("../partials/pager", …)` becomes
 * `include("/…/views/partials/pager.ejs", …)`). EJS looks a relative include up on disk (existsSync) on every call,
 * an absolute one it does not: a list that includes a partial per row paid a file-system call per row.
 */
export function withAbsoluteIncludes(template: string, file: string): string {
  const dir = path.dirname(file);
  return template.replace(/\binclude\(\s*(["'])([^"'\/\n][^"'\n]*)\1/g, (whole, quote: string, relative: string) => {
    const named = path.resolve(dir, relative);
    const resolved = path.extname(named) ? named : `${named}.ejs`;
    // Where EJS would not find it beside the view (it would look in the views folders next), it is left to EJS.
    return existsSync(resolved) ? `include(${quote}${resolved}${quote}` : whole;
  });
}

/**
 * A view's text with its includes routed through the engine's own include (`locals.__include`, set by ejsEngine):
 * EJS's include copies the page's locals twice per call, copies its compile options and resolves the path again,
 * which a page that includes a partial per row (meeting mode's 20 clients, each with four or five) paid on every row.
 * The engine hands EJS's include on for the paths it leaves to EJS. Adds no line.
 */
export function withEngineIncludes(template: string): string {
  if (!codeOf(template).some((code) => /\binclude\(/.test(withoutStrings(code)))) return template;
  return (
    "<% var __ejsInclude = include; include = function (file, data) { return locals.__include(locals, file, data, __ejsInclude); }; %>" +
    template
  );
}

/**
 * The engine for app.engine("ejs", …): each view, and each view it includes, compiled without `with`, from its text
 * with its locals declared (withLocalsDeclared), its includes' paths made absolute (withAbsoluteIncludes) and routed
 * through the engine (withEngineIncludes). An include of an absolute path renders the compiled view with one plain
 * copy of the includer's locals and the include's own data (what EJS's include passes, copied once instead of three
 * times, and not into objects without a prototype); any other path is left to EJS. With `cache` (production) each
 * view is compiled once.
 */
export function ejsEngine(cache: boolean) {
  const compiled = new Map<string, ejs.TemplateFunction>();
  // EJS asks the includer for an included view's text on every include, before looking in its own cache.
  const texts = new Map<string, string>();
  const prepared = (file: string) => {
    let text = cache ? texts.get(file) : undefined;
    if (text === undefined) {
      text = withEngineIncludes(withLocalsDeclared(withAbsoluteIncludes(readFileSync(file, "utf8"), file)));
      if (cache) texts.set(file, text);
    }
    return text;
  };
  // unsafePrototypeLocals (EJS's README; not in @types/ejs): EJS uses the object it is given as the view's locals
  // instead of copying it into a new object without a prototype. The engine gives every render and include a plain
  // object of its own (below): V8 keeps an object without a prototype in dictionary mode, and copying the page's
  // locals into one per include was most of meeting mode's rendering. Views read only own properties
  // (withLocalsDeclared).
  const options: ejs.Options & { unsafePrototypeLocals: boolean } = {
    _with: false,
    localsName: "locals",
    cache,
    unsafePrototypeLocals: true,
    includer: (_path: string, resolved: string) => ({ template: prepared(resolved) }),
  };
  const compile = (file: string) => {
    let render = cache ? compiled.get(file) : undefined;
    if (!render) {
      render = ejs.compile(prepared(file), { ...options, filename: file }) as ejs.TemplateFunction;
      if (cache) compiled.set(file, render);
    }
    return render;
  };
  type Locals = Record<string, unknown>;
  const include = (parent: Locals, file: string, data: Locals | undefined, ejsInclude: (file: string, data?: Locals) => string): string =>
    path.isAbsolute(file) && path.extname(file) === ".ejs" ? compile(file)({ ...parent, ...data }) : ejsInclude(file, data);
  return (file: string, data: object, callback: (err: Error | null, html?: string) => void) => {
    let html: string;
    try {
      html = compile(file)({ ...data, __include: include });
    } catch (err) {
      return callback(err as Error);
    }
    callback(null, html);
  };
}
