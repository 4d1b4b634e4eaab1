import { loadActiveProfileSet } from '../../agent/active-profile-set.js';
import { readInventory } from '../../agent/inventory-file.js';
import { blocksWithoutRecord } from '../../agent/lost-blocks.js';
import { loadConfig } from '../../config/load-config.js';
import {
  type IdentityOutcome,
  identityContext,
  mergePins,
  readIdentityPins,
  writeIdentityPins,
} from '../../inventory/identity-pins.js';
import { runScan } from '../../inventory/scan.js';
import { decisionsFor, holdDecisions } from '../../policy/index.js';
import { toScanPayload } from '../../reporting/camera-payload.js';
import { errorMessage } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { type CommandIO, type CommandSpec, intFlag, type ParsedValues, stringsFlag } from '../command.js';
import { formatScanTable } from '../output/scan-table.js';

export const scanCommand: CommandSpec = {
  name: 'scan',
  summary:
    'One pass: discover ONVIF devices (multicast on every IPv4 interface unless disabled, plus unicast probes to ' +
    'targets and CAMWARDEN_PROBE_TARGETS), interrogate each, classify its zone and decide. Changes nothing.',
  options: {
    target: {
      type: 'string',
      multiple: true,
      valueName: 'T',
      description: 'Probe by unicast: a host, a.b.c.d-e, a.b.c.d-a.b.c.e or a CIDR',
    },
    device: {
      type: 'string',
      multiple: true,
      valueName: 'URL',
      description: 'Interrogate this device service URL without discovery',
    },
    'no-multicast': { type: 'boolean', description: 'Do not send multicast probes' },
    timeout: { type: 'string', valueName: 'MS', description: 'Time limit of the whole scan in ms' },
    json: {
      type: 'boolean',
      description: 'Print the result as one JSON document (docs/scan-json.md; `camwarden schema scan`)',
    },
  },
  async run(values: ParsedValues, _positionals: string[], io: CommandIO): Promise<number> {
    const timeoutMs = values.timeout === undefined ? undefined : intFlag(values, 'timeout', 0);
    const targets = stringsFlag(values, 'target');
    const devices = stringsFlag(values, 'device');
    const { config } = loadConfig(io.env, io.cwd);
    const logger = createLogger({ level: config.logLevel, destination: io.stderr });
    // The daemon's active set; invalid device-profiles are bad input (exit 2, every problem named), never a
    // silent fallback.
    // The daemon's data dir: the ids pinned there and the blocks it holds apply to this scan too; what this scan
    // pins on first authenticated contact is added (best effort: a read-only data dir never fails a scan). The three
    // are read at once: start-up waits on the file system, not the CPU.
    const [profileSet, pins, inventory] = await Promise.all([
      loadActiveProfileSet(config),
      readIdentityPins(config.dataDir),
      readInventory(config.dataDir),
    ]);
    const policy = decisionsFor(profileSet);
    const previous = inventory?.cameras;
    // Blocks the daemon's enforcement state keeps but no inventory record accounts for hold here too.
    const blockedWithoutRecord = await blocksWithoutRecord(config.dataDir, inventory);
    let identity: IdentityOutcome | undefined;
    const scanned = await runScan({
      config,
      targets,
      devices,
      ...(values['no-multicast'] === true ? { multicast: false } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      decide: policy.decide,
      policyRevision: policy.revision,
      identity: identityContext(pins, previous),
      onIdentity: (outcome) => {
        identity = outcome;
      },
      logger,
    });
    if (identity && identity.pins.length > 0) {
      await writeIdentityPins(config.dataDir, mergePins(pins, identity.pins)).catch((err: unknown) => {
        logger.warn({ err: errorMessage(err) }, 'identity pins not saved');
      });
    }
    const result = {
      ...scanned,
      cameras: holdDecisions(scanned.cameras, { previous, blockedWithoutRecord, rule: policy.rule }),
    };
    io.stdout.write(
      values.json === true ? `${JSON.stringify(toScanPayload(result), null, 2)}\n` : formatScanTable(result),
    );
    return 0;
  },
};
