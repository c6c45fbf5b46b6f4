// Request bodies: JSON only, checked by media type before a byte is read, and bounded in size.
import express, { type RequestHandler } from 'express';
import { unsupportedMediaType } from './problem.js';

/** application/json or a structured-syntax +json type, parameters (charset) aside. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType);
}

export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (isJsonMediaType(req.headers['content-type'])) return next();
    next(unsupportedMediaType(req.headers['content-type']));
  };
  // strict: false lets any JSON value through to the schema, which names what is wrong with it.
  return [requireJson, express.json({ limit: limitBytes, strict: false, type: () => true })];
}
