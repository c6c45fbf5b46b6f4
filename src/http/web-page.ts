// The page for people at GET /: plain HTML, a stylesheet and one script from web/ at the
// repository root, served as files so the Content-Security-Policy needs no inline script.
// It is a page, not an operation of the API, so it is not in the OpenAPI document.
import express, { Router } from 'express';
import { fileURLToPath } from 'node:url';

/** web/ at the repository root, from src/http/ and from the compiled dist/http/ alike. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/** The page changes with a deploy: browsers revalidate rather than keep an old script. */
const REVALIDATE = 'no-cache';

export function webPage(dir: string = DEFAULT_WEB_DIR): Router {
  const routes = Router();
  routes.get('/', (_req, res, next) => {
    res.set('Cache-Control', REVALIDATE).sendFile('index.html', { root: dir }, (err) => err && next(err));
  });
  routes.use('/web', express.static(dir, { index: false, fallthrough: true, setHeaders: (res) => res.setHeader('Cache-Control', REVALIDATE) }));
  return routes;
}
