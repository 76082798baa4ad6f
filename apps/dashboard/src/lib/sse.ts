/** Server-sent events framing (one event: `event:` line, `data:` line(s), blank line). */
export function sseFrame(event: string, data: unknown): string {
  if (!/^[a-z][a-z0-9_.-]*$/.test(event)) throw new Error(`SSE event name "${event}" is not allowed`);
  const json = JSON.stringify(data);
  return `event: ${event}\ndata: ${json}\n\n`;
}

/** A comment line: keeps idle connections (and proxies) from timing out. */
export const SSE_PING = ': ping\n\n';
