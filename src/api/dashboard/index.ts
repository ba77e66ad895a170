/**
 * Serves the dashboard: static HTML, CSS and browser modules from `./static` (real files, no build
 * step; `npm run build` copies the folder beside the compiled module, so `dist/` serves the same),
 * and uPlot from the installed package at /vendor/. All of it is public: the page asks for the
 * operator token itself and every request it makes carries it. The Socket.IO client comes from
 * the socket.io package at /socket.io/socket.io.min.js.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Response, type Router } from 'express';

// Scripts and styles only from this origin; the socket connects back to it. No inline code at all.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** The folder of the dashboard's files, beside this module in `src/` and in `dist/` alike. */
export const DASHBOARD_STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');

/** Files served from installed packages (never a CDN): URL path → package and file inside it. */
const VENDOR: Record<string, { pkg: string; file: string }> = {
  '/vendor/uPlot.esm.js': { pkg: 'uplot', file: 'dist/uPlot.esm.js' },
  '/vendor/uPlot.min.css': { pkg: 'uplot', file: 'dist/uPlot.min.css' },
};

function securityHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** Builds the router for `/` (index.html), the dashboard's own files and `/vendor/…`. */
export function createDashboardRouter(options: { staticDir?: string } = {}): Router {
  const router = express.Router();
  const require = createRequire(import.meta.url);
  for (const [path, { pkg, file }] of Object.entries(VENDOR)) {
    // Resolved when the router is built, so a missing package fails at start, not on first view.
    const full = join(dirname(require.resolve(`${pkg}/package.json`)), file);
    router.get(path, (_req, res) => {
      securityHeaders(res);
      res.sendFile(full);
    });
  }
  router.use(
    express.static(options.staticDir ?? DASHBOARD_STATIC_DIR, {
      index: 'index.html',
      fallthrough: true,
      redirect: false,
      setHeaders: (res) => securityHeaders(res),
    }),
  );
  return router;
}
