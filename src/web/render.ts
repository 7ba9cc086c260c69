// One layout for every page: res.render renders the view, then views/layout.ejs around it.
import type { RequestHandler } from "express";

export const renderInLayout: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res);
  res.render = ((view: string, locals?: Record<string, unknown>, callback?: (err: Error, html?: string) => void) => {
    const options = typeof locals === "object" && locals ? locals : {};
    render(view, options, (err: Error | null, body?: string) => {
      if (err) return callback ? callback(err) : req.next?.(err);
      if (options.layout === false) return callback ? callback(err as unknown as Error, body) : res.send(body);
      const inLayout = () =>
        render("layout", { ...options, body }, callback ?? ((layoutErr: Error | null, html?: string) => (layoutErr ? req.next?.(layoutErr) : res.send(html))));
      // What the layout reads of its own (the header's unread count: res.locals.beforeLayout), awaited first. The page
      // rendered already: a failure there is logged and the layout goes without it.
      const before = res.locals.beforeLayout as (() => Promise<void>) | undefined;
      if (!before) return inLayout();
      before().then(inLayout, (error: unknown) => {
        req.log?.warn({ err: error }, "the layout's own reads failed");
        inLayout();
      });
    });
  }) as typeof res.render;
  next();
};
