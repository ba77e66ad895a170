/**
 * Serves the dashboard: one HTML page, its CSS and script, all static and public (the page asks
 * for the operator token itself; every request it makes carries it). The Socket.IO client comes
 * from the socket.io package at /socket.io/socket.io.min.js.
 */
import express, { type Router } from 'express';
import { DASHBOARD_CSS, DASHBOARD_HTML } from './page.js';
import { DASHBOARD_JS } from './client.js';

// Scripts and styles only from this origin; the socket connects back to it. No inline code at all.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Builds the router for `/`, `/dashboard.js` and `/dashboard.css`. */
export function createDashboardRouter(): Router {
  const router = express.Router();
  const send = (path: string, type: string, body: string) =>
    router.get(path, (_req, res) => {
      res.setHeader('Content-Type', type);
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.send(body);
    });
  send('/', 'text/html; charset=utf-8', DASHBOARD_HTML);
  send('/dashboard.js', 'text/javascript; charset=utf-8', DASHBOARD_JS);
  send('/dashboard.css', 'text/css; charset=utf-8', DASHBOARD_CSS);
  return router;
}
