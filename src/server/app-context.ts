/** What route modules receive from the server: shared services, never globals. */
import type { Database } from '../db/database.ts';
import type { Config } from '../config/config.ts';
import type { RegisterDirectory } from '../register/register-directory.ts';

export interface AppContext {
  database: Database;
  registers: RegisterDirectory;
  config: Pick<Config, 'publicUrl'>;
}
