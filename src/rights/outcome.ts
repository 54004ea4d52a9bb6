/** What a fulfilled request did: record ids and the register's reasons only, nothing personal (kept with the request). */
export interface KeptRecord {
  id: string;
  processingId: string;
  reason: string;
}

/** A recipient the changed records had been disclosed to (art. 19), and when the DPO recorded telling it. */
export interface RecipientNotice {
  recipientId: string;
  name: string;
  records: string[];
  notifiedAt?: string;
}

export interface Outcome {
  /** The person's records the request concerned. */
  found: number;
  erased?: string[];
  kept?: KeptRecord[];
  /** Frozen by this request (a restriction), to unfreeze when it is lifted. */
  frozen?: string[];
  /** Portability: exported, and refused with the reason. */
  exported?: string[];
  refused?: KeptRecord[];
  /** Rectification: which fields of which record changed (never the values). */
  rectified?: Array<{ id: string; fields: string[] }>;
  /** Objection: the DPO recorded compelling grounds (their text is sealed with the request). */
  compellingGrounds?: boolean;
  /** Art. 19: recipients of the rectified, erased or frozen records, to be told. */
  notifications?: RecipientNotice[];
}
