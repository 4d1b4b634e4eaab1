import {
  addElementRuleset,
  deleteElementRuleset,
  type LiveTable,
  parseLiveTable,
  tableRuleset,
} from './nft-ruleset.js';
import { NftError } from './nft-runner.js';
import type { NftRunner } from './types.js';

/** The camwarden table on the gateway: the set of isolated addresses and the chains that drop them. */
export class NftablesBackend {
  constructor(
    private readonly run: NftRunner,
    private readonly table: string,
  ) {}

  /** The addresses in the live sets (IPv4 and IPv6); undefined when the table does not exist. */
  async listBlocked(): Promise<string[] | undefined> {
    return (await this.readTable())?.elements;
  }

  /** The live table: its set elements and whether its chains are intact; undefined when it does not exist. */
  async readTable(): Promise<LiveTable | undefined> {
    try {
      const { stdout } = await this.run(['-j', 'list', 'table', 'inet', this.table]);
      return parseLiveTable(stdout);
    } catch (err) {
      if (err instanceof NftError && err.failure === 'no-such-object') return undefined;
      throw err;
    }
  }

  /** (Re)writes the whole table atomically with exactly these addresses. */
  async writeTable(addresses: readonly string[]): Promise<void> {
    await this.run(['-f', '-'], tableRuleset(this.table, addresses));
  }

  /** Removes and adds many addresses in one transaction (all or nothing). */
  async change(add: readonly string[], remove: readonly string[]): Promise<void> {
    const text =
      (remove.length > 0 ? deleteElementRuleset(this.table, remove) : '') +
      (add.length > 0 ? addElementRuleset(this.table, add) : '');
    if (text) await this.run(['-f', '-'], text);
  }

  async add(address: string): Promise<void> {
    await this.run(['-f', '-'], addElementRuleset(this.table, [address]));
  }

  async remove(address: string): Promise<void> {
    try {
      await this.run(['-f', '-'], deleteElementRuleset(this.table, [address]));
    } catch (err) {
      // Already gone (or the table was removed by hand): the address is not isolated, which is the goal.
      if (err instanceof NftError && err.failure === 'no-such-object') return;
      throw err;
    }
  }
}
