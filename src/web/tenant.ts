/** Resolving the `{tenant}` of a URL to its register in force, or a French 404. */
import { AppError } from '../errors/app-error.ts';
import type { RegisterDirectory } from '../register/register-directory.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { SLUG } from '../register/schema.ts';
import { consentScriptPath } from '../consent/consent-script.ts';
import type { PageContext } from './layout.ts';

export async function requireTenant(registers: RegisterDirectory, tenantId: string): Promise<LoadedRegister> {
  const loaded = SLUG.test(tenantId) && tenantId.length <= 64 ? await registers.current(tenantId) : undefined;
  if (!loaded) throw new AppError('tenant-not-found');
  return loaded;
}

export function pageContext(loaded: LoadedRegister, audienceEvent?: string): PageContext {
  const t = loaded.register.tenant;
  return { tenant: { id: t.id, name: t.name, website: t.website }, consentScript: consentScriptPath(loaded), audienceEvent };
}
