/**
 * A flame graph (SVG) from collapsed stacks ("root;caller;callee count" per line, the format of
 * Brendan Gregg's flamegraph.pl and of summarize.ts): the x axis is the share of busy samples, each
 * box a function on the stack, its children above it. Static, so it renders anywhere, a Markdown
 * page included; hover a box for its name and share.
 */

interface Frame {
  name: string;
  count: number;
  children: Map<string, Frame>;
}

const WIDTH = 1200;
const ROW = 16;
/** Boxes narrower than this (px) are not drawn: unreadable, and they bloat the file. */
const MIN_WIDTH = 0.8;

export function flameGraphSvg(collapsed: string, title: string): string {
  const root: Frame = { name: 'all', count: 0, children: new Map() };
  for (const line of collapsed.split('\n')) {
    const at = line.lastIndexOf(' ');
    if (at <= 0) continue;
    const count = Number(line.slice(at + 1));
    if (!Number.isFinite(count) || count <= 0) continue;
    root.count += count;
    let node = root;
    for (const name of line.slice(0, at).split(';')) {
      let child = node.children.get(name);
      if (child === undefined) {
        child = { name, count: 0, children: new Map() };
        node.children.set(name, child);
      }
      child.count += count;
      node = child;
    }
  }
  const placed: { node: Frame; x: number; level: number; w: number }[] = [];
  let depth = 0;
  const scale = root.count > 0 ? WIDTH / root.count : 0;
  const walk = (node: Frame, x: number, level: number) => {
    const w = node.count * scale;
    if (w < MIN_WIDTH) return;
    depth = Math.max(depth, level);
    placed.push({ node, x, level, w });
    let childX = x;
    for (const child of [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      walk(child, childX, level + 1);
      childX += child.count * scale;
    }
  };
  walk(root, 0, 0);
  const height = (depth + 1) * ROW + 34;
  // Flame orientation: the root at the bottom, callees stacked on their callers.
  const boxes = placed.map(({ node, x, level, w }) => box(node, x, height - 4 - (level + 1) * ROW, w, root.count));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${height}" font-family="DejaVu Sans Mono, monospace" font-size="11">`,
    `<title>${escapeXml(`Flame graph: ${title}`)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    ...boxes,
    '</svg>',
    '',
  ].join('\n');
}

function box(node: Frame, x: number, y: number, w: number, total: number): string {
  const pct = ((node.count / total) * 100).toFixed(1);
  const label = w > 30 ? escapeXml(fit(`${node.name} ${pct}%`, Math.floor((w - 6) / 6.6))) : '';
  return (
    `<g><title>${escapeXml(node.name)} (${pct} %)</title>` +
    `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 1}" fill="${colour(node.name)}"/>` +
    (label === '' ? '' : `<text x="${(x + 3).toFixed(1)}" y="${y + ROW - 4}">${label}</text>`) +
    '</g>'
  );
}

/** Warm colours, the hue picked from the library so one library keeps one colour; ours stand out. */
function colour(name: string): string {
  const where = name.includes(' ') ? (name.split(' ').pop() ?? '') : '';
  if (where.startsWith('services/')) return 'rgb(230,90,60)';
  if (where === '') return 'rgb(200,200,200)';
  const lib = where.startsWith('node:') ? 'node' : (where.split('/')[0] ?? '');
  let hash = 0;
  for (const ch of lib) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `rgb(${220 + (hash % 35)},${130 + (hash % 90)},${40 + ((hash >> 8) % 60)})`;
}

function fit(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(0, chars - 2))}..`;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
