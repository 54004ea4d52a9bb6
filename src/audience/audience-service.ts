/** Who the audience statistics belong to: the service of the processing the register names for them. */
import type { Register } from '../register/schema.ts';

/** The service whose agents read the statistics: the audience processing's, if the register names one (else nothing is measured). */
export function audienceService(register: Register): string | undefined {
  return register.audienceProcessing ? register.processings.find((p) => p.id === register.audienceProcessing)?.service : undefined;
}
