/**
 * Long-lived things a process opens (database stores, HTTP servers, job queues, workers), by
 * description. Shutdown code closes what is left here; tests fail when a file leaves one open.
 */
const open = new Map<object, string>();

export function trackResource(resource: object, description: string): void {
  open.set(resource, description);
}

export function untrackResource(resource: object): void {
  open.delete(resource);
}

/** Descriptions of the resources still open, oldest first. */
export function openResources(): string[] {
  return [...open.values()];
}
