// The renderer adapter: a Vega-Lite spec to SVG with vega's headless renderer (no canvas), and
// SVG to PNG with resvg. resvg sees no system fonts: it is given one font file, so a PNG looks
// the same on every host that has it.
import { existsSync, readFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse, View, type Loader } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Debian's fonts-dejavu-core; the charts name DejaVu Sans first. */
export const DEFAULT_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export class RendererUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RendererUnavailableError';
  }
}

/** The specs carry their data inline: any load vega attempts is refused, so a chart never fetches. */
const NO_LOADING: Loader = {
  load: () => Promise.reject(new Error('charts load no data')),
  sanitize: () => Promise.reject(new Error('charts load no data')),
  http: () => Promise.reject(new Error('charts load no data')),
  file: () => Promise.reject(new Error('charts load no data')),
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none', loader: NO_LOADING });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** @defaultValue DEFAULT_FONT_FILE */
  fontFile?: string;
  /** Output width, px; the height follows the SVG's aspect. @defaultValue the SVG's own width */
  widthPx?: number;
}

export function svgToPng(svg: string, { fontFile = DEFAULT_FONT_FILE, widthPx }: PngOptions = {}): Buffer {
  if (!existsSync(fontFile)) throw new RendererUnavailableError(`PNG rendering needs the font file ${fontFile} (Debian: fonts-dejavu-core)`);
  const resvg = new Resvg(svg, {
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    ...(widthPx === undefined ? {} : { fitTo: { mode: 'width' as const, value: widthPx } }),
    background: 'white',
  });
  return resvg.render().asPng();
}

/** Reads the font once, for callers that check availability at start. */
export function fontAvailable(fontFile = DEFAULT_FONT_FILE): boolean {
  return existsSync(fontFile) && readFileSync(fontFile).length > 0;
}
