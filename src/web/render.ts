// One layout for every page: res.render renders the view, then views/layout.ejs around it.
import type { RequestHandler } from "express";

export const renderInLayout: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res);
  res.render = ((view: string, locals?: Record<string, unknown>, callback?: (err: Error, html?: string) => void) => {
    const options = typeof locals === "object" && locals ? locals : {};
    render(view, options, (err: Error | null, body?: string) => {
      if (err) return callback ? callback(err) : req.next?.(err);
      if (options.layout === false) return callback ? callback(err as unknown as Error, body) : res.send(body);
      render("layout", { ...options, body }, callback ?? ((layoutErr: Error | null, html?: string) => (layoutErr ? req.next?.(layoutErr) : res.send(html))));
    });
  }) as typeof res.render;
  next();
};
