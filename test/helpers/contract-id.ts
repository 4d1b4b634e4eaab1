/**
 * The id rule of the contract, stated independently of src/util/safe-id.ts so attack tests check the promise, not
 * the implementation's own predicate: [A-Za-z0-9._:-], never "." or "..", at most 128 characters, and (since ids
 * reach recorder-hook argv) never starting with "-".
 */
export function isContractId(id: string): boolean {
  return /^[A-Za-z0-9._:-]{1,128}$/.test(id) && id !== '.' && id !== '..' && !id.startsWith('-');
}
