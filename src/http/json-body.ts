// Request bodies: JSON, or plain text where an operation takes pasted output; checked by media
// type before a byte is read, and bounded in size.
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

/** text/plain, parameters (charset) aside. */
export function isTextMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'text/plain';
}

export function textBody(limitBytes: number): RequestHandler[] {
  const requireText: RequestHandler = (req, _res, next) => {
    if (isTextMediaType(req.headers['content-type'])) return next();
    next(unsupportedMediaType(req.headers['content-type'], 'text/plain'));
  };
  return [requireText, express.text({ limit: limitBytes, type: () => true })];
}
