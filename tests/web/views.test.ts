// The EJS engine the app renders with (src/web/views.ts): views compiled without `with`, their locals declared at
// the top. It must write exactly what EJS's default (`with (locals)`) writes, includes and `typeof` tests included,
// in production (compiled once) and in development (a changed view is read again).
import ejs from "ejs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ejsEngine, withAbsoluteIncludes, withEngineIncludes, withLocalsDeclared } from "../../src/web/views.ts";

const VIEWS = path.resolve(import.meta.dirname, "../../views");

function declaredNames(prepared: string): string[] {
  const head = /^<% var (.*?); %>/.exec(prepared);
  return head ? [...head[1]!.matchAll(/([\w$]+) = __own\(locals, "\1"\) \? locals\.\1 : undefined/g)].map((m) => m[1]!) : [];
}

function renderWith(engine: ReturnType<typeof ejsEngine>, file: string, data: object): Promise<string> {
  return new Promise((resolve, reject) => engine(file, data, (err, html) => (err ? reject(err) : resolve(html!))));
}

describe("withLocalsDeclared", () => {
  it("declares the names a view's code uses, but not properties, words in strings and comments, JavaScript's words, globals or EJS's names", () => {
    const prepared = withLocalsDeclared(
      `<% var id = "f-" + name; %><%= id %> <%= Math.max(a, b) %><%# comment word %><%= "string word" + \`\${tpl} text\` %>` +
        `<%- include("x", { key: obj.prop }) %><% items.forEach(function (item) { %><%= typeof maybe === "undefined" ? item : maybe %><% }) %>` +
        `<% // a line comment
        %>`,
    );
    expect(declaredNames(prepared)).toEqual(["a", "b", "id", "item", "items", "key", "maybe", "name", "obj", "tpl"]);
  });

  it("adds no line, so error line numbers stay right, and leaves a view without code alone", () => {
    const template = "<p>\n<%= title %>\n</p>";
    expect(withLocalsDeclared(template).split("\n")).toHaveLength(3);
    expect(withLocalsDeclared("<p>static</p>")).toBe("<p>static</p>");
  });

  it("leaves every view of the app compilable once its locals are declared", async () => {
    const files = (await readdir(VIEWS, { recursive: true })).filter((f) => f.endsWith(".ejs"));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = await readFile(path.join(VIEWS, file), "utf8");
      // A declaration the view makes with let or const would clash with the var at the top (the HTTP tests render
      // the views themselves).
      expect(() => ejs.compile(withLocalsDeclared(text), { _with: false, localsName: "locals", filename: path.join(VIEWS, file) })).not.toThrow();
    }
  });
});

describe("withAbsoluteIncludes", () => {
  it("makes the literal paths of includes found beside the view absolute, and leaves others to EJS", () => {
    const file = path.join(VIEWS, "communications", "index.ejs");
    const text = `<%- include("_filters", { a: 1 }) %><%- include('../partials/pager') %><%- include("../partials/nowhere") %><%- include(name) %><%- include("/already/absolute.ejs") %>`;
    expect(withAbsoluteIncludes(text, file)).toBe(
      `<%- include("${path.join(VIEWS, "communications", "_filters.ejs")}", { a: 1 }) %><%- include('${path.join(VIEWS, "partials", "pager.ejs")}') %>` +
        `<%- include("../partials/nowhere") %><%- include(name) %><%- include("/already/absolute.ejs") %>`,
    );
  });

  it("finds every include of the app's views beside its view, so none is looked up on disk per call", async () => {
    const files = (await readdir(VIEWS, { recursive: true })).filter((f) => f.endsWith(".ejs"));
    for (const file of files) {
      const text = withAbsoluteIncludes(await readFile(path.join(VIEWS, file), "utf8"), path.join(VIEWS, file));
      const relative = [...text.matchAll(/\binclude\(\s*(["'])([^"']+)\1/g)].map((m) => m[2]!).filter((p) => !p.startsWith(VIEWS + path.sep));
      expect(relative, file).toEqual([]);
    }
  });
});

describe("withEngineIncludes", () => {
  it("routes a view's includes through the engine only when its code includes, adding no line", () => {
    expect(withEngineIncludes("<p><%= title %> include(x)</p>")).toBe("<p><%= title %> include(x)</p>");
    expect(withEngineIncludes('<%# include("x") %><%= "include(y)" %>')).toBe('<%# include("x") %><%= "include(y)" %>');
    const routed = withEngineIncludes('<p>\n<%- include("x") %></p>');
    expect(routed).toMatch(/^<% var __ejsInclude = include; include = function/);
    expect(routed.split("\n")).toHaveLength(2);
  });
});

describe("ejsEngine", () => {
  let dir: string;
  const data = {
    title: "Cases <& co>",
    rows: [
      { id: 1, name: "Ann's", tags: ["a", "b"] },
      { id: 2, name: 'B "quoted"', tags: [] },
    ],
    flag: true,
    labels: { a: "Alpha", b: "Beta" } as Record<string, string>,
  };
  const page = `<h1><%= title %></h1><% if (typeof missing !== "undefined") { %>never<% } %>
<ul><% rows.forEach(function (row) { var tagCount = row.tags.length; %><%- include("_row", { row: row, tagCount: tagCount }) %><% }) %></ul>
<% var title = "shadowed " + title; %><p><%= title %> <%= flag ? "on" : "off" %></p>`;
  const row = `<li data-id="<%= row.id %>"><%= row.name %> (<%= tagCount %>)<% row.tags.forEach(function (t) { %> <%= labels[t] %><% }) %> <%= title %></li>`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-views-"));
    await writeFile(path.join(dir, "page.ejs"), page);
    await writeFile(path.join(dir, "_row.ejs"), row);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes exactly what EJS's default (with locals) writes, includes and typeof included, compiled once or each time", async () => {
    const expected = await ejs.renderFile(path.join(dir, "page.ejs"), data, { cache: false });
    expect(expected).toContain("Ann&#39;s (2) Alpha Beta");
    expect(expected).toContain("<p>shadowed Cases &lt;&amp; co&gt; on</p>");
    for (const cache of [false, true]) {
      const engine = ejsEngine(cache);
      expect(await renderWith(engine, path.join(dir, "page.ejs"), data)).toBe(expected);
      expect(await renderWith(engine, path.join(dir, "page.ejs"), data)).toBe(expected);
    }
  });

  it("includes a path it cannot place beside the view through EJS", async () => {
    const file = path.join(dir, "dynamic.ejs");
    await writeFile(file, `<%- include(partial, { row: rows[0], tagCount: 9 }) %>`);
    const expected = await ejs.renderFile(file, { ...data, partial: "_row" }, { cache: false });
    expect(expected).toContain("Ann&#39;s (9) Alpha Beta");
    for (const cache of [false, true]) expect(await renderWith(ejsEngine(cache), file, { ...data, partial: "_row" })).toBe(expected);
  });

  it("gives a view only its locals' own properties: a name added to Object.prototype later does not reach it", async () => {
    const file = path.join(dir, "inherits.ejs");
    await writeFile(file, `<%= typeof inheritedName === "undefined" ? "none" : inheritedName %>|<%- include("_row", { row: rows[1], tagCount: typeof inheritedName }) %>`);
    const engine = ejsEngine(true);
    const before = await renderWith(engine, file, data);
    expect(before).toBe(`none|<li data-id="2">B &#34;quoted&#34; (undefined) Cases &lt;&amp; co&gt;</li>`);
    const proto = Object.prototype as Record<string, unknown>;
    proto.inheritedName = "polluted";
    try {
      expect(await renderWith(engine, file, data)).toBe(before);
    } finally {
      delete proto.inheritedName;
    }
  });

  it("compiles a view once in production, and reads a changed view again in development", async () => {
    const file = path.join(dir, "changing.ejs");
    await writeFile(file, "<%= title %> v1");
    const production = ejsEngine(true);
    const development = ejsEngine(false);
    expect(await renderWith(production, file, data)).toBe("Cases &lt;&amp; co&gt; v1");
    expect(await renderWith(development, file, data)).toBe("Cases &lt;&amp; co&gt; v1");
    await writeFile(file, "<%= title %> v2");
    expect(await renderWith(production, file, data)).toBe("Cases &lt;&amp; co&gt; v1");
    expect(await renderWith(development, file, data)).toBe("Cases &lt;&amp; co&gt; v2");
  });

  it("hands a view's error to the callback with its file and line", async () => {
    const file = path.join(dir, "broken.ejs");
    await writeFile(file, "<p>\n<%= notPassed.deeper %>\n</p>");
    await expect(renderWith(ejsEngine(false), file, data)).rejects.toThrow(/broken\.ejs:2/);
  });
});
