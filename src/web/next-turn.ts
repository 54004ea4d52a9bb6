/**
 * Lets the event loop run other requests before going on: a large
 * submission (files in base64) is handled in several short tasks rather
 * than one that holds every other request, static files and /healthz
 * included, for the whole of its decoding, sealing and encoding.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
