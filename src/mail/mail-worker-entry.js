// Entry of the mail thread: plain JavaScript, so that it starts whatever the
// parent's loader flags were, then loads the TypeScript worker through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./mail-worker.ts');
