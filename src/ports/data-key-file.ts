// The node's data key file (R9.4) as the key-management use cases see it:
// rotate, retire, describe. Key material never leaves the adapter.
export interface DataKeyFileSummary {
  readonly active: string;
  readonly keys: readonly { readonly id: string; readonly created: string }[];
}

export interface DataKeyFile {
  /** Key ids and creation dates, the active one named. */
  describe(): Promise<DataKeyFileSummary>;
  /** Adds a new key and makes it active; returns its id. */
  rotate(now: Date): Promise<string>;
  /** Removes a non-active key (`data_key.unknown`, `data_key.active`). */
  retire(keyId: string): Promise<void>;
}
